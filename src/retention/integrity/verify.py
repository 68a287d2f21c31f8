"""The verifier: walk the whole log once, check every stream's chain and every checkpoint, and
name the first event (or checkpoint) that fails.

It reads stored bytes only, never a key: culled events verify like any other, and so may an
auditor's copy of the database without the secrets (given the checkpoints' public key).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from eventsourcing.persistence import ApplicationRecorder, Notification

from retention.integrity.chain import GENESIS, link, link_head
from retention.integrity.checkpoints import Checkpoint, RangeDigest, signature_holds
from retention.sealing import envelope
from retention.sealing.envelope import LINK_BYTES

PAGE = 2000


class Finding(StrEnum):
    ALTERED = "altered"  # an event's bytes do not give its link
    REMOVED = "removed"  # a stream skips versions
    REORDERED = "reordered"  # a stream's versions come out of order in the log
    CHECKPOINT_MISMATCH = "checkpoint-mismatch"  # the log up to a checkpoint is not as signed
    CHECKPOINT_MISSING = "checkpoint-missing"  # checkpoint numbers skip, or go past the log
    BAD_SIGNATURE = "bad-signature"  # a checkpoint's signature does not hold
    UNKNOWN_KEY = "unknown-key"  # a checkpoint signed by a key not given


@dataclass(frozen=True, slots=True)
class Failure:
    finding: Finding
    detail: str  # ids and numbers only: never anything an event holds
    notification_id: int | None = None
    originator_id: UUID | None = None
    version: int | None = None
    checkpoint: int | None = None


@dataclass(frozen=True, slots=True)
class Report:
    events: int  # events checked (up to the failure, if any)
    streams: int
    before_chain: int  # events stored before the chain, their links computed (upcast)
    checkpoints: int  # checkpoints that held
    signed_through: int  # the notification id the last checkpoint that held reaches (0: none)
    signed_at: datetime | None  # when that checkpoint was signed
    last_position: int  # the last notification id checked
    digest: bytes  # the log's digest at the last position: what a new checkpoint signs
    failure: Failure | None

    @property
    def ok(self) -> bool:
        return self.failure is None

    @property
    def unsigned(self) -> int:
        """How many events were checked after the last checkpoint: chained, not yet signed."""
        return self.events - self._signed_events

    _signed_events: int = 0


class _Walk:
    """The verifier's state while it walks the log in order."""

    def __init__(self, checkpoints: Sequence[Checkpoint], keys: dict[str, Ed25519PublicKey]):
        self.heads: dict[UUID | str, tuple[int, bytes]] = {}
        self.chained: set[UUID | str] = set()  # streams with an event that stores its link
        self.events = 0
        self.before_chain = 0
        self.last_position = 0
        self.failure: Failure | None = None
        self.gap: tuple[UUID | str, int] | None = None  # a stream's first missing version
        self._pending = list(checkpoints)
        self._keys = keys
        self._digest = RangeDigest()
        self.held: Checkpoint | None = None
        self.held_events = 0
        self.held_count = 0
        self._expected_seq = 1

    def step(self, n: Notification) -> bool:
        """Check one event; False once something failed."""
        while self._pending and self._pending[0].position < n.id:
            if not self._close(self._pending.pop(0)):
                return False
        oid, version, state = n.originator_id, n.originator_version, n.state
        head = self.heads.get(oid)
        expected = 1 if head is None else head[0] + 1
        if version != expected:
            if version < expected:
                detail = f"version {version} comes after version {expected - 1} in the log"
                return self._fail(Finding.REORDERED, detail, n)
            missing = f"{expected}" if version == expected + 1 else f"{expected}-{version - 1}"
            self.gap = (oid, expected)
            return self._fail(Finding.REMOVED, f"version {missing} of its stream is missing", n)
        previous = GENESIS if head is None else head[1]
        place = link_head(oid, version, n.topic)
        if envelope.is_chained(state):
            kept = state[-LINK_BYTES:]
            if link(previous, place, state[:-LINK_BYTES]) != kept:
                detail = "its bytes do not give its link (it, or its stream before it, changed)"
                return self._fail(Finding.ALTERED, detail, n)
            made = kept
            self.chained.add(oid)
        elif oid in self.chained:  # once a stream is chained, every later event is
            detail = "it has no link, yet an event before it in its stream has one"
            return self._fail(Finding.ALTERED, detail, n)
        else:  # stored before the chain: the link it would carry (the upcast)
            made = link(previous, place, state)
            self.before_chain += 1
        self.heads[oid] = (version, made)
        self._digest.add(n.id, made)
        self.events += 1
        self.last_position = n.id
        if self._pending and self._pending[0].position == n.id:
            return self._close(self._pending.pop(0))
        return True

    def finish(self) -> None:
        """The checkpoints past the last event: the log was cut short after them."""
        if self.failure is None and self._pending:
            checkpoint = self._pending[0]
            self._close(checkpoint)

    def _close(self, checkpoint: Checkpoint) -> bool:
        if checkpoint.seq != self._expected_seq:
            missing = self._expected_seq
            detail = f"checkpoint {missing} is missing before checkpoint {checkpoint.seq}"
            return self._fail_checkpoint(Finding.CHECKPOINT_MISSING, detail, checkpoint)
        self._expected_seq += 1
        holds = signature_holds(checkpoint, self._keys)
        if holds is None:
            detail = f"checkpoint {checkpoint.seq} is signed by key {checkpoint.key_id}, not given"
            return self._fail_checkpoint(Finding.UNKNOWN_KEY, detail, checkpoint)
        if not holds:
            detail = f"checkpoint {checkpoint.seq}'s signature does not hold"
            return self._fail_checkpoint(Finding.BAD_SIGNATURE, detail, checkpoint)
        after = self.held.position if self.held else 0
        digest = self._digest.close()
        if digest != checkpoint.digest or self.events != checkpoint.events:
            detail = (
                f"the log from notification {after + 1} to {checkpoint.position} is not as "
                f"checkpoint {checkpoint.seq} signed it ({checkpoint.events} events then, "
                f"{self.events} now): an event there was removed, inserted or reordered"
            )
            return self._fail_checkpoint(Finding.CHECKPOINT_MISMATCH, detail, checkpoint)
        self.held = checkpoint
        self.held_events = self.events
        self.held_count += 1
        return True

    def _fail(self, finding: Finding, detail: str, n: Notification) -> bool:
        oid = n.originator_id if isinstance(n.originator_id, UUID) else None
        self.failure = Failure(finding, detail, n.id, oid, n.originator_version)
        return False

    def _fail_checkpoint(self, finding: Finding, detail: str, checkpoint: Checkpoint) -> bool:
        self.failure = Failure(finding, detail, checkpoint=checkpoint.seq)
        return False

    def report(self) -> Report:
        return Report(
            events=self.events,
            streams=len(self.heads),
            before_chain=self.before_chain,
            checkpoints=self.held_count,
            signed_through=self.held.position if self.held else 0,
            signed_at=self.held.signed_at if self.held else None,
            last_position=self.last_position,
            digest=self._digest.peek(),
            failure=self.failure,
            _signed_events=self.held_events,
        )


def verify_log(
    recorder: ApplicationRecorder,
    checkpoints: Sequence[Checkpoint],
    keys: dict[str, Ed25519PublicKey],
    *,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Walk the log from its first event; stop at the first failure."""
    walk = _Walk(checkpoints, keys)
    for notification in _log(recorder, progress):
        if not walk.step(notification):
            break
    else:
        walk.finish()
    if walk.gap is not None and walk.failure is not None:
        walk.failure = _moved_or_removed(recorder, walk.gap, walk.failure)
    return walk.report()


def _log(
    recorder: ApplicationRecorder,
    progress: Callable[[int], None] | None = None,
    start: int | None = None,
) -> Iterator[Notification]:
    """The log in order, page by page, from after ``start``."""
    while True:
        page = recorder.select_notifications(start, PAGE, inclusive_of_start=start is None)
        yield from page
        if progress is not None and page:
            progress(len(page))
        if len(page) < PAGE:
            return
        start = page[-1].id


def _moved_or_removed(
    recorder: ApplicationRecorder, gap: tuple[UUID | str, int], failure: Failure
) -> Failure:
    """A version missing where it should be may only come later in the log: then the events
    were reordered, not removed. Read on to tell (only when something already failed)."""
    stream, version = gap
    for later in _log(recorder, start=failure.notification_id):
        if later.originator_id == stream and later.originator_version == version:
            detail = (
                f"it comes before version {version} of its stream, which is at notification "
                f"{later.id}"
            )
            return Failure(
                Finding.REORDERED,
                detail,
                failure.notification_id,
                failure.originator_id,
                failure.version,
            )
    return failure
