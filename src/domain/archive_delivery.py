"""A delivery of preserved records to the city archive: built, then confirmed received.

Gallra may destroy its own copy of preserved (bevaras) data only after the archive has
confirmed receipt of a package holding it. The delivery names what it holds by the random key
ids of the scopes delivered, so it links to the sealed parts and to no person; everything else
it records is counts, dates, a checksum and who did what. It is kept for ever, like a gallring
record.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import ConflictError, RuleViolationError

MAX_REFERENCE = 200


class ArchiveDelivery(Aggregate):
    class Built(Aggregate.Created):
        rule_ids: list[str]
        categories: list[str]
        key_ids: list[UUID]
        subjects: int
        records: int
        files: int
        mets_sha256: str  # of the package's METS.xml, which lists every file's checksum
        built_on: date
        built_by: str

    class ReceiptRecorded(Aggregate.Event):
        reference: str  # the archive's receipt or registration number (diarienummer)
        received_on: date
        recorded_by: str

    @event(Built)
    def __init__(
        self,
        rule_ids: list[str],
        categories: list[str],
        key_ids: list[UUID],
        subjects: int,
        records: int,
        files: int,
        mets_sha256: str,
        built_on: date,
        built_by: str,
    ) -> None:
        self.rule_ids = rule_ids
        self.categories = categories
        self.key_ids = key_ids
        self.subjects = subjects
        self.records = records
        self.files = files
        self.mets_sha256 = mets_sha256
        self.built_on = built_on
        self.built_by = built_by
        self.reference: str | None = None
        self.received_on: date | None = None
        self.recorded_by: str | None = None

    @classmethod
    def built(
        cls,
        package_id: UUID,
        *,
        rule_ids: list[str],
        categories: list[str],
        key_ids: list[UUID],
        subjects: int,
        records: int,
        files: int,
        mets_sha256: str,
        built_on: date,
        built_by: str,
    ) -> ArchiveDelivery:
        """The delivery of a package already written under ``package_id`` (its METS OBJID)."""
        return cls._create(
            cls.Built,
            id=package_id,
            rule_ids=rule_ids,
            categories=categories,
            key_ids=key_ids,
            subjects=subjects,
            records=records,
            files=files,
            mets_sha256=mets_sha256,
            built_on=built_on,
            built_by=built_by,
        )

    @property
    def received(self) -> bool:
        return self.received_on is not None

    def record_receipt(self, reference: str, received_on: date, recorded_by: str) -> bool:
        """The archive confirmed receipt. The same receipt again does nothing (a retry);
        another one for a package already received is refused. Returns whether it was new."""
        reference = reference.strip()
        if not reference or len(reference) > MAX_REFERENCE:
            raise RuleViolationError(
                f"reference must be 1 to {MAX_REFERENCE} characters", field="reference"
            )
        if not recorded_by.strip():
            raise RuleViolationError("say who records the receipt", field="recorded_by")
        if received_on < self.built_on:
            raise RuleViolationError(
                "a package cannot be received before it was built", field="received_on"
            )
        if self.reference is not None:
            if self.reference != reference:
                raise ConflictError(f"package {self.id} was already received as {self.reference}")
            return False
        self._received(reference=reference, received_on=received_on, recorded_by=recorded_by)
        return True

    @event(ReceiptRecorded)
    def _received(self, reference: str, received_on: date, recorded_by: str) -> None:
        self.reference = reference
        self.received_on = received_on
        self.recorded_by = recorded_by
