"""Benchmarks: Gallra against bare eventsourcing, same event shapes, no encryption.

Run with ``python -m bench --out results.json``; see ``bench/README.md``. Not part of the tests.
"""
