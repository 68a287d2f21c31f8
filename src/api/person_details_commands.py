"""Commands and queries about what every person has besides identity: contact details, the
security marking, the profile and settings. Any person stream (child, guardian, staff) will do;
who may read or write what is decided by the caller (the HTTP layer)."""

from __future__ import annotations

import re
from collections.abc import Callable
from uuid import UUID

from api.app_base import GallraBase
from api.views import PersonDetailsView
from domain.errors import RuleViolationError
from domain.people import Child, PersonRecord
from domain.person import RENEWABLE
from domain.personal import Shredded
from retention.errors import ScopeShreddedError


class PersonDetailsCommands(GallraBase):
    """Contact, security marking, profile and settings of any person (SS 12000 Person)."""

    def change_contact(self, person_id: UUID, mobile: str | None, email: str | None) -> None:
        """Replace a person's mobile and e-mail (blank clears one); the same again is a no-op."""
        checked = _checked_mobile(mobile), _checked_email(email)
        self._change_person(person_id, lambda p: p.change_contact(*checked))

    def correct_identity(
        self, person_id: UUID, given_name: str, family_name: str, reason: str
    ) -> bool:
        """Rectify a person's name, with the reason; False if it already reads so."""
        return self._decide(
            person_id, lambda p: p.correct_identity(given_name, family_name, reason)
        )

    def restrict_processing(self, person_id: UUID, grounds: str, note: str) -> bool:
        """Restrict processing of a person's data (GDPR art. 18): staff no longer see them.
        False if already restricted on these grounds (a retry)."""
        return self._decide(person_id, lambda p: p.restrict_processing(grounds, note))

    def lift_restriction(self, person_id: UUID, note: str) -> bool:
        """Lift a restriction; False if there is none (a retry)."""
        return self._decide(person_id, lambda p: p.lift_restriction(note))

    def _decide(self, person_id: UUID, change: Callable[[PersonRecord], bool]) -> bool:
        outcome: list[bool] = []

        def command() -> None:
            person = self._get(PersonRecord, person_id, "person")
            outcome[:] = [change(person)]
            self.save(person)

        self._retrying(command)
        return outcome[0]

    def mark_security(self, person_id: UUID, marking: str) -> None:
        """Set the SS 12000 security marking; anything but Ingen hides the contact details."""
        self._change_person(person_id, lambda p: p.mark_security(marking))

    def change_profile(
        self,
        person_id: UUID,
        picture_type: str | None,
        picture: str | None,
        profile_text: str | None,
    ) -> None:
        self._change_person(
            person_id, lambda p: p.change_profile(picture_type, picture, profile_text)
        )

    def change_settings(self, person_id: UUID, settings: dict[str, bool]) -> None:
        self._change_person(person_id, lambda p: p.change_settings(settings))

    def get_person_details(self, person_id: UUID) -> PersonDetailsView:
        """Any person's details, unfiltered: who may see what is for the caller to decide."""
        p = self._get(PersonRecord, person_id, "person")
        return PersonDetailsView(
            id=p.id,
            protected=p.protected,
            mobile=p.mobile,
            email=p.email,
            picture_type=p.picture_type,
            picture=p.picture,
            profile_text=p.profile_text,
            settings=p.settings if isinstance(p.settings, Shredded) else dict(p.settings),
            responsible_adults=frozenset(p.guardians) if isinstance(p, Child) else frozenset(),
        )

    def _change_person(self, person_id: UUID, change: Callable[[PersonRecord], None]) -> None:
        """A change to a person's record. If it meets contact details or a profile whose
        scope has been culled (erased on request, or the person was no longer current and
        is back), that category starts its next generation in the same save: what was
        culled stays gone, and what the person gives now is kept."""

        def command() -> None:
            person = self._get(PersonRecord, person_id, "person")
            change(person)
            try:
                self.save(person)
            except ScopeShreddedError as culled:
                if culled.category not in RENEWABLE:
                    raise
                person = self._get(PersonRecord, person_id, "person")  # unchanged: nothing saved
                person.renew(culled.category)
                change(person)
                self.save(person)

        self._retrying(command)


# Mobile: Swedish (0...) or E.164 (+ and a country code); digits, spaces and hyphens between.
_MOBILE = re.compile(r"(?:\+[1-9]|0)[0-9 \-]*[0-9]")
# E-mail (email-validator is not installed): a dot-atom local part of the RFC 5322 characters,
# and a domain of at least two DNS labels ending in a letter-only top-level label. IDN domains
# must be given in their xn-- form. Deliverability is not checked.
_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)


def _checked_mobile(mobile: str | None) -> str | None:
    value = (mobile or "").strip()
    if not value:
        return None
    digits = sum(c.isascii() and c.isdigit() for c in value)
    if not (7 <= len(value) <= 20 and 7 <= digits <= 15 and _MOBILE.fullmatch(value)):
        raise RuleViolationError(
            "mobile must be a Swedish or E.164 number of 7 to 20 characters: digits, spaces, "
            "hyphens and a leading +",
            field="mobile",
        )
    return value


def _checked_email(email: str | None) -> str | None:
    value = (email or "").strip()
    if not value:
        return None
    local = value.rpartition("@")[0]
    if len(value) > 254 or len(local) > 64 or not _EMAIL.fullmatch(value):
        raise RuleViolationError("email is not a valid e-mail address", field="email")
    return value
