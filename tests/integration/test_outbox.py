"""The outbox: notices owed are delivered once, retried on failure, abandoned when culled;
consent reminders are queued once per school year for every adult of a preschool child."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from uuid import UUID, uuid4

from api.bootstrap import Gallra
from api.outbox import Message, RecordingSender
from api.scheduler import Tick, reminder_day, tick
from api.transition_commands import school_year
from domain.notices import Notice, NoticeKind
from retention.keys.scope import Scope


def queue(gallra: Gallra, subject: UUID, day: date = date(2026, 3, 16)) -> UUID:
    notice = Notice(
        id=gallra.app.keystore.derived_id("test", subject, day),
        kind=NoticeKind.INVALID_ABSENCE,
        category="attendance",
        subject_id=subject,
        day=day,
        recipients=[uuid4(), uuid4()],
        details={"invalid_minutes": 40},
    )
    gallra.app.save(notice)
    return notice.id


def sender(gallra: Gallra) -> RecordingSender:
    assert isinstance(gallra.outbox.sender, RecordingSender)
    return gallra.outbox.sender


def test_a_notice_is_delivered_once(gallra: Gallra) -> None:
    subject = uuid4()
    notice_id = queue(gallra, subject)
    assert gallra.outbox.deliver().delivered == 1
    [message] = sender(gallra).delivered
    assert (message.notice_id, message.subject_id, len(message.recipients)) == (
        notice_id,
        subject,
        2,
    )
    assert gallra.outbox.deliver().delivered == 0
    notice = gallra.app.repository.get(notice_id)
    assert isinstance(notice, Notice) and not notice.pending


def test_derived_ids_are_stable_and_say_nothing(gallra: Gallra) -> None:
    keystore = gallra.app.keystore
    subject = uuid4()
    first = keystore.derived_id("invalid-absence", subject, date(2026, 3, 16))
    assert first == keystore.derived_id("invalid-absence", subject, date(2026, 3, 16))
    assert first != keystore.derived_id("invalid-absence", subject, date(2026, 3, 17))
    assert first != keystore.derived_id("consent-reminder", subject, date(2026, 3, 16))
    assert subject.hex not in first.hex


@dataclass
class Flaky:
    fail: int
    delivered: list[Message] = field(default_factory=list)

    def send(self, message: Message) -> str:
        if self.fail:
            self.fail -= 1
            raise ConnectionError("gateway down")
        self.delivered.append(message)
        return "sms"


def test_a_failed_delivery_is_tried_again(make_gallra: object) -> None:
    flaky = Flaky(fail=1)
    gallra = make_gallra(sender=flaky)  # type: ignore[operator]
    notice_id = queue(gallra, uuid4())
    assert gallra.outbox.deliver().failed == 1
    notice = gallra.app.repository.get(notice_id)
    assert notice.failures == 1 and notice.pending
    assert gallra.outbox.deliver().delivered == 1
    assert [m.notice_id for m in flaky.delivered] == [notice_id]


def test_a_notice_culled_before_delivery_is_abandoned(gallra: Gallra) -> None:
    subject = uuid4()
    notice_id = queue(gallra, subject)
    gallra.app.keystore.shred(uuid4(), scopes=[Scope(subject, "attendance", "2026-03")])
    gallra.app.evict_caches()
    assert gallra.outbox.deliver().abandoned == 1
    assert sender(gallra).delivered == []
    assert gallra.outbox.owed() == []
    assert gallra.app.repository.get(notice_id).abandoned


def test_consent_reminders_reach_every_adult_of_preschool_children_once(gallra: Gallra) -> None:
    app = gallra.app
    preschool = app.create_unit("Förskolan", "förskola")
    department = app.add_department(preschool, "Björnen")
    school = app.create_unit("Skolan", "grundskola")
    mum = app.register_guardian("A", "B", "19800101AB01")
    dad = app.register_guardian("C", "B", "19800102AB02")
    small = app.register_child("D", "B", "20220101TF01", [(mum, "Vårdnadshavare")])
    app.link_guardian(small, dad, "Vårdnadshavare")
    app.give_consent(small, mum)
    big = app.register_child("E", "B", "20150101TF02", [(mum, "Vårdnadshavare")])
    app.place_child(small, preschool, department, date(2024, 8, 1))
    app.place_child(big, school, None, date(2021, 8, 15))
    on = date(2026, 8, 1)
    assert not app.consent_reminders_done(on)
    assert app.queue_consent_reminders([small, big], on) == 2
    assert app.consent_reminders_done(on)
    assert app.queue_consent_reminders([small, big], on) == 0  # once per school year
    assert gallra.outbox.deliver().delivered == 2
    messages = sorted(sender(gallra).delivered, key=lambda m: m.recipients[0] != mum)
    assert [m.recipients for m in messages] == [[mum], [dad]]
    assert all(m.subject_id == small for m in messages)
    assert messages[0].details == {
        "school_year": "2026/2027",
        "consent_given": True,
        "consent_valid": False,
    }
    assert school_year(date(2027, 6, 30)) == "2026/2027"


def test_the_scheduler_reminds_from_the_configured_day_and_once(gallra: Gallra) -> None:
    app = gallra.app
    preschool = app.create_unit("Förskolan", "förskola")
    department = app.add_department(preschool, "Räven")
    mum = app.register_guardian("A", "B", "19800101AB01")
    kid = app.register_child("D", "B", "20220101TF01", [(mum, "Vårdnadshavare")])
    app.place_child(kid, preschool, department, date(2024, 8, 1))
    assert tick(gallra, date(2026, 7, 31)) == Tick(reminders_queued=0, delivered=0)
    assert tick(gallra, date(2026, 8, 1)) == Tick(reminders_queued=1, delivered=1)
    assert tick(gallra, date(2026, 8, 2)) == Tick(reminders_queued=0, delivered=0)
    assert reminder_day("08-15", 2027) == date(2027, 8, 15)
