"""``gallra keys``: rotating the key-encryption key without touching a single event, and the
key that signs the log's checkpoints."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from api.bootstrap import build
from api.settings import Settings
from retention.errors import KekError
from retention.keys.rotation import add_kek, retire_kek, rotate_checkpoint_key

keys_cli = typer.Typer(
    help="Rotation of the key-encryption key and the checkpoint key.", no_args_is_help=True
)
out = Console()
err = Console(stderr=True)

Backend = Annotated[str | None, typer.Option(help="sqlite or postgres")]
DataDir = Annotated[Path | None, typer.Option(help="where the SQLite database and secrets live")]


def _fail(message: str) -> NoReturn:
    err.print(f"gallra: {message}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(1)


def _settings(backend: str | None, data_dir: Path | None) -> Settings:
    return Settings.from_env(backend=backend, data_dir=data_dir)


@keys_cli.command("add-kek")
def add(backend: Backend = None, data_dir: DataDir = None) -> None:
    """Add a new KEK to the secrets file and make it active (the old one stays for now)."""
    settings = _settings(backend, data_dir)
    try:
        kek_id = add_kek(settings.resolved_secrets_file)
    except KekError as e:
        _fail(str(e))
    out.print(f"added KEK {kek_id}; new data keys are wrapped by it. Next: gallra keys rewrap")


@keys_cli.command("rewrap")
def rewrap(backend: Backend = None, data_dir: DataDir = None) -> None:
    """Re-wrap every live data key under the active KEK."""
    try:
        gallra = build(_settings(backend, data_dir))
    except KekError as e:
        _fail(str(e))
    try:
        count = gallra.app.keystore.rewrap_all()
        out.print(
            f"re-wrapped {count} data keys; by KEK now: {gallra.app.keystore.keys_wrapped_by()}"
        )
    finally:
        gallra.close()


@keys_cli.command("retire-kek")
def retire(
    kek_id: Annotated[str, typer.Argument(help="the KEK id to remove from the secrets file")],
    backend: Backend = None,
    data_dir: DataDir = None,
) -> None:
    """Remove an old KEK from the secrets file once no data key is wrapped by it."""
    settings = _settings(backend, data_dir)
    try:
        gallra = build(settings)
    except KekError as e:
        _fail(str(e))
    try:
        using = gallra.app.keystore.keys_wrapped_by().get(kek_id, 0)
        retire_kek(settings.resolved_secrets_file, kek_id, using)
    except KekError as e:
        _fail(str(e))
    finally:
        gallra.close()
    out.print(f"retired KEK {kek_id}")


@keys_cli.command("rotate-checkpoint-key")
def rotate_checkpoint(backend: Backend = None, data_dir: DataDir = None) -> None:
    """Sign checkpoints with a new key from now on. The old key's public half stays in the
    secrets file, so what it signed still verifies; its private half is gone."""
    settings = _settings(backend, data_dir)
    try:
        public = rotate_checkpoint_key(settings.resolved_secrets_file)
    except KekError as e:
        _fail(str(e))
    out.print(
        "the checkpoint key is rotated; give auditors its public key, to verify with beside "
        "the old one:",
        markup=False,
    )
    out.print(base64.b64encode(public).decode(), soft_wrap=True)
