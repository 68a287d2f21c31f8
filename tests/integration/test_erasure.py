"""Erasure on request in the retention engine (both backends): only ``on_request`` rules cull
early, one subject's keys and no one else's, and what was erased on request does not start a
person's identity's end as a lapse would."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from api.bootstrap import Gallra, today
from api.erasure import DUTIES, answer_erasure
from builders import enrolled_department
from domain.personal import Category, Shredded
from retention.errors import ScopeShreddedError
from retention.keys.scope import Scope


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


def test_a_profile_erased_on_request_may_be_given_again(gallra: Gallra) -> None:
    """An erased scope is fenced for ever; the profile's next generation takes new data under
    a key of its own, and the erased data stays gone."""
    app = gallra.app
    _unit, _dep, kids = enrolled_department(app, 1, "Förskolan Lärken", "Räven")
    guardian = next(iter(app.get_child(kids[0]).guardians))
    app.change_profile(guardian, None, None, "Första")
    app.change_settings(guardian, {"notices.absence.sms": True})
    on = today(gallra)
    [erased] = answer_erasure(gallra.gallring, guardian, on, by="registrator", execute=True).erased
    assert erased.months == ("-",)

    app.change_profile(guardian, None, None, "Andra")
    details = app.get_person_details(guardian)
    assert details.profile_text == "Andra"
    assert isinstance(details.settings, Shredded)  # erased with the profile, not given again
    app.change_settings(guardian, {"notices.absence.sms": False})
    assert app.get_person_details(guardian).settings == {"notices.absence.sms": False}
    epochs = sorted(
        (r.scope.epoch, r.key_id is not None)
        for r in app.keystore.scopes(subject=guardian, category="profile", include_shredded=True)
    )
    assert epochs == [("-", False), ("g1", True)]
    # the replay keeps what was erased as culled
    history = gallra.histories.history(guardian).entries
    first = next(e for e in history if e.values.get("generation") == 0 and e.culled)
    assert {c.field for c in first.culled} >= {"profile_text"}

    # erased again: the second generation goes too, and a third may follow
    [again] = answer_erasure(gallra.gallring, guardian, on, by="registrator", execute=True).erased
    assert again.months == ("g1",)
    app.change_profile(guardian, None, None, "Tredje")
    assert app.get_person_details(guardian).profile_text == "Tredje"
    assert app.repository.get(guardian).generation(Category.PROFILE) == 2


def test_contact_details_culled_while_away_may_be_given_on_return(gallra: Gallra) -> None:
    """A guardian's contact details culled after they were no longer current (12 months on),
    their identity not yet: back with a younger child, their new number is taken."""
    app = gallra.app
    _unit, _dep, kids = enrolled_department(app, 1, "Förskolan Lärken", "Räven")
    guardian = next(iter(app.get_child(kids[0]).guardians))
    app.change_contact(guardian, "070-1112223", None)
    app.keystore.shred(uuid4(), scopes=[Scope(guardian, "contact", "-")])
    app.evict_caches()
    assert isinstance(app.get_person_details(guardian).mobile, Shredded)
    app.change_contact(guardian, "070-4445556", None)
    assert app.get_person_details(guardian).mobile == "070-4445556"
    assert app.repository.get(guardian).generation(Category.CONTACT) == 1
    # what is not renewable stays fenced: a culled identity is never written again
    app.keystore.shred(uuid4(), scopes=[Scope(guardian, "identity", "-")])
    app.evict_caches()
    with pytest.raises(ScopeShreddedError):
        app.mark_security(guardian, "Skyddad folkbokföring")
