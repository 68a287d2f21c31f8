"""``gallra log``: is the log as it was written? Verify its chains and signed checkpoints, sign
a new checkpoint, print the key that checks them (ADR 0024)."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Annotated, TypeVar

import typer

from api.cli_shared import Backend, DataDir, fail, opened, out, progress_bar
from retention.integrity.checkpoints import CheckpointError, public_bytes, public_key_from
from retention.integrity.service import LogIntegrity
from retention.integrity.verify import Report

T = TypeVar("T")
log_cli = typer.Typer(
    help="Tamper evidence: verify the log, sign checkpoints.", no_args_is_help=True
)

PublicKeys = Annotated[
    list[str] | None,
    typer.Option(
        "--public-key",
        help="base64 Ed25519 public key to check checkpoints with (an auditor's own copy); "
        "may be given more than once",
    ),
]


@log_cli.command("verify")
def verify(
    public_key: PublicKeys = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
    backend: Backend = None,
    data_dir: DataDir = None,
) -> None:
    """Check every stream's hash chain and every signed checkpoint; name the first event or
    checkpoint that fails. Exits 1 if anything fails."""
    keys = None
    if public_key:
        try:
            keys = [public_key_from(base64.b64decode(k, validate=True)) for k in public_key]
        except (binascii.Error, ValueError, CheckpointError):
            fail("--public-key must be the base64 of a 32-byte Ed25519 public key")
    with opened(backend, data_dir) as gallra:
        integrity = gallra.integrity
        report = _walk(
            integrity, lambda progress: integrity.verify(public_keys=keys, progress=progress)
        )
    if as_json:
        out.print_json(json.dumps(report_json(report)))
    else:
        show(report)
    if report.failure is not None:
        raise typer.Exit(1)


@log_cli.command("checkpoint")
def checkpoint(backend: Backend = None, data_dir: DataDir = None) -> None:
    """Verify the log, then sign a checkpoint at its end (nothing is signed over a log that
    does not verify)."""
    with opened(backend, data_dir) as gallra:
        try:
            made, report = _walk(
                gallra.integrity, lambda progress: gallra.integrity.checkpoint(progress=progress)
            )
        except CheckpointError as e:
            fail(str(e))
    if made is None:
        out.print(f"nothing new since checkpoint {report.checkpoints}; none signed")
        return
    out.print(
        f"signed checkpoint {made.seq} through notification {made.position} "
        f"({made.events} events), key {made.key_id}"
    )


@log_cli.command("public-key")
def public_key(backend: Backend = None, data_dir: DataDir = None) -> None:
    """Print the public key that checks this deployment's checkpoints, for auditors to keep
    apart from the database."""
    with opened(backend, data_dir) as gallra:
        public = gallra.integrity.public_key
    if public is None:
        fail("no checkpoint key in the secrets (checkpoint_key, or GALLRA_CHECKPOINT_KEY)")
    out.print(base64.b64encode(public_bytes(public)).decode(), highlight=False)


def _walk(integrity: LogIntegrity, run: Callable[[Callable[[int], None]], T]) -> T:
    total = integrity.recorder.max_notification_id() or 0
    with progress_bar(transient=True) as bar:
        task = bar.add_task("verifying the log", total=total or None)
        return run(lambda done: bar.advance(task, done))


def report_json(report: Report) -> dict[str, object]:
    failure = report.failure
    return {
        "ok": report.ok,
        "events": report.events,
        "streams": report.streams,
        "before_chain": report.before_chain,
        "checkpoints": report.checkpoints,
        "signed_through": report.signed_through,
        "signed_at": report.signed_at.isoformat() if report.signed_at else None,
        "unsigned": report.unsigned,
        "last_position": report.last_position,
        "failure": None
        if failure is None
        else {
            "finding": str(failure.finding),
            "detail": failure.detail,
            "notification_id": failure.notification_id,
            "stream": str(failure.originator_id) if failure.originator_id else None,
            "version": failure.version,
            "checkpoint": failure.checkpoint,
        },
    }


def show(report: Report) -> None:
    out.print(
        f"checked {report.events} events in {report.streams} streams "
        f"({report.before_chain} stored before the chain, their links computed)"
    )
    if report.checkpoints:
        out.print(
            f"signed through notification {report.signed_through} by {report.checkpoints} "
            f"checkpoints (the last signed {report.signed_at:%Y-%m-%d %H:%M:%S %Z}); "
            f"{report.unsigned} events after it are chained, not yet signed"
        )
    else:
        out.print(f"no checkpoint yet: {report.unsigned} events are chained, none signed")
    failure = report.failure
    if failure is None:
        out.print("the log verifies")
        return
    where = (
        f"checkpoint {failure.checkpoint}"
        if failure.checkpoint is not None
        else f"notification {failure.notification_id} (stream {failure.originator_id} "
        f"v{failure.version})"
    )
    out.print(f"FAILED at {where}: {failure.finding}: {failure.detail}", highlight=False)
