"""Erasure on request in the retention engine (both backends): only ``on_request`` rules cull
early, one subject's keys and no one else's, and what was erased on request does not start a
person's identity's end as a lapse would."""

from __future__ import annotations

from datetime import date

from api.bootstrap import Gallra, today
from api.erasure import DUTIES, answer_erasure
from builders import enrolled_department


def test_erasing_a_profile_leaves_a_current_persons_identity_alone(gallra: Gallra) -> None:
    app = gallra.app
    _unit, _dep, kids = enrolled_department(app, 2, "Förskolan Lärken", "Räven")
    guardian, other = (next(iter(app.get_child(k).guardians)) for k in kids)
    for person in (guardian, other):
        app.change_profile(person, None, None, "Hej!")
    on = today(gallra)
    answer = answer_erasure(gallra.gallring, guardian, on, by="registrator", execute=True)
    assert [r.category for r in answer.erased] == ["profile"]
    assert [(i.category, i.kept_because) for i in answer.items] == [("identity", DUTIES)]
    # only theirs: the other guardian's profile is untouched, and no period was closed
    assert app.get_person_details(other).profile_text == "Hej!"
    assert not app.get_person_details(guardian).profile_text
    assert ("profile", "-") not in gallra.app.keystore.closed_periods()
    # Nothing of theirs is left but their identity, and they are still current: the
    # erasure is no lapse, so no identity is due a year on (identity-last waits a month).
    a_year_on = date(on.year + 1, on.month, 1)
    assert not [c for c in gallra.gallring.planned(a_year_on) if c.rule_id == "identity-last"]
    # asked again, nothing more
    assert (
        answer_erasure(gallra.gallring, guardian, on, by="registrator", execute=True).erased == []
    )
