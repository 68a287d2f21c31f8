"""The two applications under comparison, and the throw-away stores they run on.

Both sides get the same eventsourcing settings (persistence module, pool sizes, lock timeout)
and the same transcodings; only Gallra seals personal fields. Each side has its own SQLite
file, or its own PostgreSQL schema, so neither reads the other's tables.
"""

from __future__ import annotations

import secrets as pysecrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.application import Application
from eventsourcing.persistence import JSONTranscoder, Transcoder
from psycopg import sql

from api.application import GallraApplication
from api.settings import Settings
from retention.keys.kek import Secrets
from retention.sealing.transcodings import register_all


class BareApplication(Application[UUID]):
    """Plain eventsourcing: the default Mapper, no cipher, the transcodings Gallra uses."""

    name = "bare"

    def construct_transcoder(self) -> Transcoder:
        transcoder = JSONTranscoder()
        register_all(transcoder)
        return transcoder


def make_secrets() -> Secrets:
    """Fresh random secrets, shaped as the tests make them."""
    return Secrets(
        keks={"k1": pysecrets.token_bytes(32)},
        active_kek="k1",
        index_key=pysecrets.token_bytes(32),
        token_key=pysecrets.token_bytes(32),
        checkpoint_key=pysecrets.token_bytes(32),
    )


@dataclass(frozen=True)
class PgConfig:
    host: str = "127.0.0.1"
    port: int = 5432
    dbname: str = "test"
    user: str = "postgres"
    password: str = ""

    def connect(self) -> psycopg.Connection[Any]:
        return psycopg.connect(
            host=self.host,
            port=self.port,
            dbname=self.dbname,
            user=self.user,
            password=self.password,
            autocommit=True,
            connect_timeout=5,
        )


@dataclass
class Pair:
    """One bare and one Gallra application on a fresh, empty store each."""

    backend: str
    bare: BareApplication
    gallra: GallraApplication

    def close(self) -> None:
        self.bare.close()
        self.gallra.close()


def bench_settings(
    backend: str, data_dir: Path, sqlite_file: str, pg: PgConfig, schema: str
) -> Settings:
    return Settings(
        backend=backend,
        data_dir=data_dir,
        sqlite_file=sqlite_file,
        pg_host=pg.host,
        pg_port=pg.port,
        pg_dbname=pg.dbname,
        pg_user=pg.user,
        pg_password=pg.password,
        pg_schema=schema,
        background_projections=False,
    )


@contextmanager
def open_pair(backend: str, data_dir: Path, pg: PgConfig) -> Iterator[Pair]:
    """Both applications on empty stores; PostgreSQL schemas are dropped on the way out."""
    tag = uuid.uuid4().hex[:10]
    bare_schema = f"gallra_bench_{tag}_bare"
    gallra_schema = f"gallra_bench_{tag}_gallra"
    bare_settings = bench_settings(backend, data_dir, f"bare-{tag}.db", pg, bare_schema)
    gallra_settings = bench_settings(backend, data_dir, f"gallra-{tag}.db", pg, gallra_schema)
    schemas = [bare_schema, gallra_schema] if backend == "postgres" else []
    opened: list[Application[UUID]] = []
    try:
        if schemas:
            with pg.connect() as conn:
                for schema in schemas:
                    conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        else:
            data_dir.mkdir(parents=True, exist_ok=True)
        bare = BareApplication(bare_settings.eventsourcing_env())
        opened.append(bare)
        gallra = GallraApplication(gallra_settings.eventsourcing_env(), secrets=make_secrets())
        opened.append(gallra)
        yield Pair(backend, bare, gallra)
    finally:
        for app in opened:
            app.close()
        if schemas:
            with pg.connect() as conn:
                for schema in schemas:
                    conn.execute(
                        sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
                    )


def postgres_problem(pg: PgConfig) -> str | None:
    """Why PostgreSQL cannot be used, or None if it can."""
    try:
        with pg.connect():
            return None
    except psycopg.Error as e:
        return f"{type(e).__name__}: {e}".strip()
