"""Who may bring or fetch a child in a kiosk batch: a guardian, or a pick-up person named for
the child by that day; anyone else, or a person removed before the day, is refused (field by)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from api.bootstrap import Gallra
from api.kiosk_sync_commands import KioskEvent
from builders import enrolled_department
from conftest import Clock
from domain.pickup import PickupDetails


def test_pick_up_persons_fetch_and_strangers_do_not(gallra: Gallra, clock: Clock) -> None:
    app = gallra.app
    _, dep, (saga, olle) = enrolled_department(app, 2, "Förskolan Björken", "Myggan")
    grandma, removed, strangers = uuid4(), uuid4(), uuid4()
    clock.now = datetime(2026, 3, 2, 6, tzinfo=UTC)
    app.add_pickup_person(saga, grandma, PickupDetails("Mormor Anna", "070-123 45 67"), None)
    app.add_pickup_person(saga, removed, PickupDetails("Morfar Bo", "070-765 43 21"), None)
    app.remove_pickup_person(saga, removed, None)
    clock.now = datetime(2026, 3, 16, 9, tzinfo=UTC)
    guardian = next(iter(app.get_child(saga).guardians))
    day = datetime(2026, 3, 9, 7, tzinfo=UTC)

    outcomes = app.sync_kiosk_batch(dep, None, [
        KioskEvent(uuid4(), "check-in", saga, day, guardian),
        KioskEvent(uuid4(), "check-out", saga, day.replace(hour=15), grandma),
        KioskEvent(uuid4(), "check-in", olle, day, grandma),  # Saga's grandmother, not Olle's
        KioskEvent(uuid4(), "check-in", saga, day.replace(hour=16), removed),
        KioskEvent(uuid4(), "check-in", olle, day.replace(hour=8), strangers),
    ])  # fmt: skip

    assert [(o.status, o.field) for o in outcomes] == [
        ("recorded", None),
        ("recorded", None),
        ("refused", "by"),
        ("refused", "by"),
        ("refused", "by"),
    ]
