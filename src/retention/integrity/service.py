"""Verifying the log and signing checkpoints over it, for the CLI, the API and the scheduler."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from eventsourcing.persistence import ApplicationRecorder

from retention.integrity.checkpoints import (
    Checkpoint,
    CheckpointError,
    CheckpointStore,
    Signer,
    known_keys,
    public_key_from,
)
from retention.integrity.verify import Report, verify_log

Progress = Callable[[int], None]


class LogIntegrity:
    """The log's tamper evidence: per-stream chains (written by the event store) and signed
    checkpoints (written here)."""

    def __init__(
        self,
        recorder: ApplicationRecorder,
        store: CheckpointStore,
        checkpoint_key: bytes | None,
        clock: Callable[[], datetime],
        retired_keys: tuple[bytes, ...] = (),
    ) -> None:
        self.recorder = recorder
        self.store = store
        self.signer = Signer(checkpoint_key) if checkpoint_key is not None else None
        self.retired = [public_key_from(raw) for raw in retired_keys]  # verify, never sign
        self._clock = clock

    @property
    def public_key(self) -> Ed25519PublicKey | None:
        """What an auditor keeps to check checkpoints on their own copy."""
        return self.signer.public if self.signer else None

    def verify(
        self,
        *,
        public_keys: list[Ed25519PublicKey] | None = None,
        progress: Progress | None = None,
    ) -> Report:
        """Walk the whole log. Checkpoints are checked against ``public_keys`` when given
        (an auditor's own copy), else against the key this deployment signs with and those
        it signed with before (retired by a rotation)."""
        if public_keys is None:
            public_keys = [*self.retired, *([self.signer.public] if self.signer else [])]
        return verify_log(
            self.recorder, self.store.all(), known_keys(public_keys), progress=progress
        )

    def checkpoint(self, *, progress: Progress | None = None) -> tuple[Checkpoint | None, Report]:
        """Verify the log, then sign a checkpoint at its end. Nothing is signed over a log
        that does not verify; a log with nothing new since the last checkpoint gets none."""
        if self.signer is None:
            raise CheckpointError(
                "no checkpoint key in the secrets (checkpoint_key, or GALLRA_CHECKPOINT_KEY)"
            )
        report = self.verify(progress=progress)
        if report.failure is not None:
            raise CheckpointError(
                f"the log does not verify ({report.failure.finding}: {report.failure.detail}); "
                "no checkpoint was signed"
            )
        if report.events == 0 or report.signed_through == report.last_position:
            return None, report
        seq, at = report.checkpoints + 1, self._clock()
        checkpoint = self.signer.sign(seq, report.last_position, report.events, report.digest, at)
        if not self.store.add(checkpoint):
            raise CheckpointError(
                f"checkpoint {checkpoint.seq} was signed by another process meanwhile"
            )
        return checkpoint, report
