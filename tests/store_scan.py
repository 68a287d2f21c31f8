"""Scanning the whole store for a value: which tables still name a subject."""

from __future__ import annotations

import sqlite3
from uuid import UUID

import psycopg

from api.bootstrap import Gallra
from conftest import PG

EVENT_TABLES = frozenset({"stored_events", "gallra_events"})
"""The event store's tables on SQLite and PostgreSQL."""


def rows_naming(gallra: Gallra, subject: UUID) -> dict[str, int]:
    """Per table, how many rows hold ``subject`` in any column and any of its spellings."""
    needles = (str(subject), subject.hex)
    settings = gallra.settings

    def names(value: object) -> bool:
        if isinstance(value, bytes | memoryview):
            return subject.bytes in bytes(value)
        return any(n in str(value) for n in needles)

    found: dict[str, int] = {}
    if settings.backend == "sqlite":
        with sqlite3.connect(settings.sqlite_path) as conn:
            tables = [
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            ]
            for table in tables:
                hits = sum(
                    1 for row in conn.execute(f'SELECT * FROM "{table}"') if any(map(names, row))
                )
                if hits:
                    found[table] = hits
        return found
    with psycopg.connect(**PG) as conn:
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (settings.pg_schema,),
        ).fetchall()
        for (table,) in tables:
            query = f'SELECT * FROM {settings.pg_schema}."{table}"'
            hits = sum(1 for row in conn.execute(query) if any(map(names, row)))  # type: ignore[arg-type]
            if hits:
                found[table] = hits
    return found
