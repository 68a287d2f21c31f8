"""A department's kiosk (the touch screen at the door) as a paired device, so that its token
can be revoked: a kiosk token is accepted only while its device is paired.

A device is not a person: its department, unit and label ("Björnen entré") are readable, and
so is the id of the staff member who paired or unpaired it (an id, never a name), as the
device's own record. Re-pairing makes a new kiosk; an unpaired kiosk stays unpaired.

``DepartmentKiosks`` lists a department's kiosks (one stream per department, id derived from
the department's), written in the same transaction as the kiosk, so listing needs no index.
"""

from __future__ import annotations

from uuid import UUID, uuid4, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import RuleViolationError

KIOSKS_NAMESPACE = UUID("0b7e2f5c-3a61-4d0b-8f7e-5d2c9a4e1b63")
MAX_LABEL = 100


def department_kiosks_id(department_id: UUID) -> UUID:
    return uuid5(KIOSKS_NAMESPACE, str(department_id))


class Kiosk(Aggregate):
    """One paired device, from pairing to unpairing."""

    class Paired(Aggregate.Created):
        department_id: UUID
        unit_id: UUID
        label: str
        paired_by: UUID | None

    class Unpaired(Aggregate.Event):
        unpaired_by: UUID | None

    @classmethod
    def pair(
        cls,
        department_id: UUID,
        unit_id: UUID,
        label: str,
        paired_by: UUID | None,
        kiosk_id: UUID | None = None,
    ) -> Kiosk:
        value = label.strip()
        if not value or len(value) > MAX_LABEL:
            raise RuleViolationError(f"label must be 1 to {MAX_LABEL} characters", field="label")
        return cls._create(
            cls.Paired,
            id=kiosk_id or uuid4(),
            department_id=department_id,
            unit_id=unit_id,
            label=value,
            paired_by=paired_by,
        )

    @event(Paired)
    def __init__(
        self, department_id: UUID, unit_id: UUID, label: str, paired_by: UUID | None
    ) -> None:
        self.department_id = department_id
        self.unit_id = unit_id
        self.label = label
        self.paired = True

    def unpair(self, unpaired_by: UUID | None) -> bool:
        """Unpair for good; unpairing again is a no-op (False)."""
        if not self.paired:
            return False
        self._unpaired(unpaired_by=unpaired_by)
        return True

    @event(Unpaired)
    def _unpaired(self, unpaired_by: UUID | None) -> None:
        self.paired = False


class DepartmentKiosks(Aggregate):
    """The kiosks ever paired to one department, oldest first."""

    class Opened(Aggregate.Created):
        department_id: UUID

    class KioskListed(Aggregate.Event):
        kiosk_id: UUID

    @classmethod
    def open(cls, department_id: UUID) -> DepartmentKiosks:
        return cls._create(
            cls.Opened, id=department_kiosks_id(department_id), department_id=department_id
        )

    @event(Opened)
    def __init__(self, department_id: UUID) -> None:
        self.department_id = department_id
        self.kiosk_ids: list[UUID] = []

    def list_kiosk(self, kiosk_id: UUID) -> None:
        if kiosk_id not in self.kiosk_ids:
            self._listed(kiosk_id=kiosk_id)

    @event(KioskListed)
    def _listed(self, kiosk_id: UUID) -> None:
        self.kiosk_ids.append(kiosk_id)
