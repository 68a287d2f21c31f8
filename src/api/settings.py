"""Validated settings, built by the composition root (never at import time).

Environment variables prefixed GALLRA_ override the defaults; the CLI passes its options in.
Secrets are never settings: they live in a file beside (not inside) the database.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, model_validator


class Settings(BaseModel):
    backend: Literal["sqlite", "postgres"] = "sqlite"
    data_dir: Path = Path("var")
    sqlite_file: str = "gallra.db"
    pg_host: str = "127.0.0.1"
    pg_port: int = 5432
    pg_dbname: str = "postgres"
    pg_user: str = "postgres"
    pg_password: str = ""
    pg_schema: str = "public"
    pg_pool_size: int = Field(default=5, ge=1, le=100)
    secrets_file: Path | None = None
    create_secrets: bool = False
    retention_plan: Path | None = None
    timezone: str = "Europe/Stockholm"
    suppression_threshold: int = Field(default=5, ge=1)
    token_ttl_hours: int = Field(default=12, ge=1, le=24 * 30)
    background_projections: bool = True
    outbox_interval_seconds: float = Field(default=5.0, gt=0, le=3600)
    consent_reminder_date: str = Field(
        default="08-01",
        pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
        description="MM-DD: from this day each year, guardians of preschool children are "
        "reminded of their consent choices for the coming school year",
    )
    schedule_change_deadline_days: int = Field(
        default=14,
        ge=0,
        le=365,
        description="a guardian's stay schedule, or change to one, takes effect at the "
        "earliest this many days ahead (staff are not bound); see docs/tempus/schedules.md",
    )
    day_close_look_back_days: int = Field(
        default=7,
        ge=1,
        le=92,
        description="the night close looks this many days back for department-days not yet "
        "closed; see docs/tempus/kiosk-sync.md",
    )
    kiosk_token_ttl_days: int = Field(
        default=90,
        ge=1,
        le=366,
        description="a paired kiosk's device token lasts this many days; unpairing the kiosk "
        "revokes it at once; see docs/tempus/pickup-and-kiosk.md",
    )

    @model_validator(mode="after")
    def _schema_name(self) -> Settings:
        if not self.pg_schema.replace("_", "").isalnum():
            raise ValueError("pg_schema must be letters, digits and underscores")
        return self

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / self.sqlite_file

    @property
    def resolved_secrets_file(self) -> Path:
        return self.secrets_file or self.data_dir / "gallra.secrets.json"

    def eventsourcing_env(self) -> dict[str, str]:
        if self.backend == "sqlite":
            return {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(self.sqlite_path),
                "SQLITE_LOCK_TIMEOUT": "10",
            }
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": self.pg_dbname,
            "POSTGRES_HOST": self.pg_host,
            "POSTGRES_PORT": str(self.pg_port),
            "POSTGRES_USER": self.pg_user,
            "POSTGRES_PASSWORD": self.pg_password,
            "POSTGRES_SCHEMA": self.pg_schema,
            "POSTGRES_POOL_SIZE": str(self.pg_pool_size),
            "POSTGRES_MAX_OVERFLOW": "5",
            "POSTGRES_CONN_MAX_AGE": "600",
            "POSTGRES_PRE_PING": "y",
        }

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        values: dict[str, object] = {}
        for name in cls.model_fields:
            key = f"GALLRA_{name.upper()}"
            if key in os.environ:
                values[name] = os.environ[key]
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls.model_validate(values)
