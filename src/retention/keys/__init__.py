"""Data keys per scope, wrapped by a key-encryption key held outside the database."""
