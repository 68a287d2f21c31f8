"""School-side events on disk: documentation sealed per category and month, culled versions
read as culled with their category, and first-slice events upcast to their new versions."""

from __future__ import annotations

import json
from datetime import date
from uuid import uuid4

from eventsourcing.persistence import StoredEvent

from api.bootstrap import Gallra
from domain.documentation import DocumentEntry
from domain.organisation import OrganisationType, SchoolForm, Unit
from domain.people import Child, Staff
from domain.personal import Category, Shredded
from retention.keys.scope import Scope
from retention.sealing import envelope
from retention.sealing.plan import seal_plan


def write(gallra: Gallra, category: str, written_on: date, student: object) -> DocumentEntry:
    entry = DocumentEntry.write(
        category=category,
        school_form="grundskola",
        student_id=student,  # type: ignore[arg-type]
        unit_id=uuid4(),
        author_id=uuid4(),
        written_on=written_on,
        title=f"title-{uuid4().hex}",
        content=f"content-{uuid4().hex}",
    )
    gallra.app.save(entry)
    return entry


def test_an_entry_is_sealed_under_its_category_and_month(gallra: Gallra) -> None:
    app = gallra.app
    student = uuid4()
    entry = write(gallra, "iup", date(2026, 9, 3), student)
    entry.revise(uuid4(), "new title", f"edit-{uuid4().hex}")
    app.save(entry)
    for stored in app.recorder.select_events(entry.id):
        plain, parts = envelope.unpack(stored.state)
        readable = json.loads(plain)
        assert set(readable) <= {"timestamp", "originator_topic", "category", "school_form"}
        assert entry.current.content.encode() not in stored.state  # type: ignore[union-attr]
        assert len(parts) == 1
    scopes = {r.scope for r in app.keystore.scopes(subject=student)}
    assert scopes == {Scope(student, "iup", "2026-09")}  # the edit shares the entry's key


def test_shredding_one_category_leaves_the_others_and_says_what_was_culled(
    gallra: Gallra,
) -> None:
    app = gallra.app
    student = uuid4()
    iup = write(gallra, "iup", date(2026, 9, 3), student)
    iup.revise(uuid4(), "t2", "c2")
    app.save(iup)
    samtal = write(gallra, "samtal", date(2026, 9, 3), student)
    app.keystore.shred(uuid4(), scopes=[Scope(student, "iup", "2026-09")])
    app.evict_caches()
    culled = app.repository.get(iup.id)
    assert isinstance(culled, DocumentEntry) and culled.culled
    assert culled.category == "iup"
    assert [v.content for v in culled.versions] == [Shredded("iup"), Shredded("iup")]
    kept = app.repository.get(samtal.id)
    assert isinstance(kept, DocumentEntry) and kept.current.content == samtal.current.content


def test_staff_and_person_details_are_sealed(gallra: Gallra) -> None:
    app = gallra.app
    staff = Staff(
        given_name=f"n{uuid4().hex}", family_name="x", civic_number="19800101TF01", civic_kind="t"
    )
    staff.change_contact(f"+4670{uuid4().int % 10**7:07d}", None)
    duty = staff.assign_duty(uuid4(), "Rektor", date(2026, 8, 1))
    app.save(staff)
    for stored in app.recorder.select_events(staff.id):
        assert staff.given_name.encode() not in stored.state  # type: ignore[union-attr]
        assert staff.mobile.encode() not in stored.state  # type: ignore[union-attr]
    app.keystore.shred(uuid4(), scopes=[Scope(staff.id, "placement", str(duty))])
    app.evict_caches()
    loaded = app.repository.get(staff.id)
    assert isinstance(loaded, Staff)
    assert loaded.duties[duty].role == Shredded("placement")
    assert loaded.given_name == staff.given_name


def _stored_v1(gallra: Gallra, event: object, drop: tuple[str, ...]) -> StoredEvent:
    """Store ``event`` as its first version would have been: without the new fields."""
    mapper = gallra.app.sealing_mapper
    state = dict(vars(event))
    for name in drop:
        state.pop(name)
    state.pop("class_version", None)
    stored = mapper.to_stored_event(event)  # type: ignore[arg-type]
    plain, parts = envelope.unpack(stored.state)
    readable = json.loads(plain)
    readable.pop("class_version", None)
    for name in drop:
        readable.pop(name, None)
    return StoredEvent(
        stored.originator_id,
        stored.originator_version,
        stored.topic,
        envelope.pack(json.dumps(readable).encode(), parts),
    )


def test_first_slice_units_are_upcast(gallra: Gallra) -> None:
    unit = Unit(name="Förskolan", school_form="förskola")
    created = unit.collect_events()[0]
    stored = _stored_v1(
        gallra, created, ("school_forms", "organisation_type", "parent_id", "school_unit_code")
    )
    gallra.app.recorder.insert_events([stored])
    loaded = gallra.app.repository.get(unit.id)
    assert isinstance(loaded, Unit)
    assert loaded.school_forms == [SchoolForm.FORSKOLA]
    assert loaded.organisation_type == OrganisationType.SKOLENHET
    assert loaded.parent_id is None


def test_first_slice_placements_are_upcast(gallra: Gallra) -> None:
    app = gallra.app
    mapper = app.sealing_mapper
    child = Child(given_name="A", family_name="B", civic_number="20180101TF01", civic_kind="t")
    placement = child.place(uuid4(), uuid4(), date(2025, 8, 1))
    registered, placed = child.collect_events()
    # Seal the placement as version 1 did: no class version, no school form in the part.
    scope = Scope(child.id, "placement", str(placement))
    keys = app.keystore.keys_for_write([scope])
    sealed = {k: getattr(placed, k) for k in ("unit_id", "department_id", "start")}
    readable = {"timestamp": placed.timestamp, "placement_id": placement}
    split = (
        seal_plan(type(placed)),
        child.id,
        placed.originator_version,
        readable,
        [(scope, sealed)],
        b"",  # no month opening: the exact time stays readable, as version 1 was written
        None,  # no veil
    )
    chained = mapper._seal_all([split], keys, {child.id: bytes(32)})[0]
    v1 = StoredEvent(  # and no chain link: version 1 of the envelope came before it
        originator_id=chained.originator_id,
        originator_version=chained.originator_version,
        topic=chained.topic,
        state=envelope.split_link(chained.state)[0],
    )
    app.recorder.insert_events([mapper.to_stored_event(registered), v1])
    loaded = app.repository.get(child.id)
    assert isinstance(loaded, Child)
    assert loaded.placements[placement].school_form is None
    assert loaded.placements[placement].open


def test_profiles_written_before_generations_are_the_first_generation(gallra: Gallra) -> None:
    app = gallra.app
    guardian = app.register_guardian("A", "B", "19750301TF03")
    person = app.repository.get(guardian)
    person.change_profile(None, None, "Hej")
    person.change_contact("070-1112223", None)
    written = person.collect_events()
    for e in written:  # one by one: each chains from the one stored before it
        app.recorder.insert_events([_stored_v1(gallra, e, ("generation",))])
    app.evict_caches()
    loaded = app.get_person_details(guardian)
    assert (loaded.profile_text, loaded.mobile) == ("Hej", "070-1112223")
    assert app.repository.get(guardian).generation(Category.PROFILE) == 0
    assert [r.scope.epoch for r in app.keystore.scopes(subject=guardian, category="profile")] == [
        "-"
    ]
