"""Tamper evidence: each stream's hash chain, signed checkpoints over the log, and the
verifier that walks both (ADR 0024)."""
