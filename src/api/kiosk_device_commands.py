"""Pairing and unpairing a department's kiosk, a device and not a person (issue 4).

A kiosk token names its device; the token is accepted only while ``kiosk_paired`` says the
device is paired to the token's department. Who may pair (an administrator, or staff with a
duty at the department's unit) is decided by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from api.app_base import GallraBase
from domain.errors import NotFoundError
from domain.kiosk import DepartmentKiosks, Kiosk, department_kiosks_id
from domain.organisation import Unit
from retention.log_scan import notifications


@dataclass(frozen=True, slots=True)
class KioskView:
    kiosk_id: UUID
    department_id: UUID
    unit_id: UUID
    label: str
    paired: bool


def _kiosk_view(kiosk: Kiosk) -> KioskView:
    return KioskView(kiosk.id, kiosk.department_id, kiosk.unit_id, kiosk.label, kiosk.paired)


class KioskDeviceCommands(GallraBase):
    """Pairing and unpairing a department's kiosk, a device and not a person (issue 4)."""

    def department_unit(self, department_id: UUID) -> UUID:
        """The unit a department belongs to. Departments are few and pairing is rare, so
        the units' department events are read rather than kept in an index."""
        for notification in notifications(self.recorder, [get_topic(Unit.DepartmentAdded)]):
            added = self.mapper.to_domain_event(notification)
            assert isinstance(added, Unit.DepartmentAdded)
            if added.department_id == department_id:
                return added.originator_id
        raise NotFoundError(f"no department with id {department_id}", field="department_id")

    def pair_kiosk(self, department_id: UUID, label: str, paired_by: UUID | None) -> UUID:
        """Pair a new kiosk to a department; returns its id (a token is issued for it)."""
        unit_id = self.department_unit(department_id)

        def command() -> UUID:
            kiosk = Kiosk.pair(department_id, unit_id, label, paired_by)
            listing = self._department_kiosks(department_id) or DepartmentKiosks.open(department_id)
            listing.list_kiosk(kiosk.id)
            self.save(kiosk, listing)
            return kiosk.id

        kiosk_id: UUID = self._retrying(command)
        return kiosk_id

    def unpair_kiosk(self, kiosk_id: UUID, unpaired_by: UUID | None) -> bool:
        """Unpair a kiosk for good: its tokens stop working at once. False if it was
        unpaired before."""

        def command() -> bool:
            kiosk = self._get(Kiosk, kiosk_id, "kiosk")
            if not kiosk.unpair(unpaired_by):
                return False
            self.save(kiosk)
            return True

        unpaired: bool = self._retrying(command)
        return unpaired

    def get_kiosk(self, kiosk_id: UUID) -> KioskView:
        return _kiosk_view(self._get(Kiosk, kiosk_id, "kiosk"))

    def department_kiosks(self, department_id: UUID) -> list[KioskView]:
        """Every kiosk ever paired to the department, oldest first, paired or not."""
        listing = self._department_kiosks(department_id)
        if listing is None:
            return []
        return [self.get_kiosk(kiosk_id) for kiosk_id in listing.kiosk_ids]

    def kiosk_paired(self, kiosk_id: UUID) -> UUID | None:
        """The kiosk's department while it is paired; None if unpaired or unknown. Read from
        the store on every call: nothing cached may let an unpaired kiosk in."""
        try:
            kiosk: Aggregate = self.repository.get(kiosk_id)
        except AggregateNotFoundError:
            return None
        if not isinstance(kiosk, Kiosk) or not kiosk.paired:
            return None
        return kiosk.department_id

    def _department_kiosks(self, department_id: UUID) -> DepartmentKiosks | None:
        return self._find(DepartmentKiosks, department_kiosks_id(department_id))
