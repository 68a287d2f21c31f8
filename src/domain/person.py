"""What every person's own stream holds besides what kind of person it is: identity, contact
details, a protected-identity marking, an optional profile and settings (SS 12000 Person).

Identity is sealed under the person's identity scope; contact details and the profile under
scopes of their own, so each can be culled on its own rule.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Final
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import RuleViolationError
from domain.personal import Category, GenerationOf, OwnStreamEvent, Personal, Shredded
from domain.photo import MAX_PHOTO_BYTES, PHOTO_TYPES, check_photo, check_photo_type, decode_base64

_ID = Personal(Category.IDENTITY)
# Contact details and the profile are the person's whole life, in generations: culled ones
# are fenced for ever, and the next generation takes what the person gives later.
_CONTACT = Personal(Category.CONTACT, epoch=GenerationOf("generation"))
_PROFILE = Personal(Category.PROFILE, epoch=GenerationOf("generation"))
RENEWABLE: Final = frozenset({str(Category.CONTACT), str(Category.PROFILE)})

MAX_PICTURE_BYTES = MAX_PHOTO_BYTES
PICTURE_TYPES = PHOTO_TYPES
_SETTING_NAME = re.compile(r"^[a-z][a-z0-9_.-]{0,63}$")
MAX_SETTINGS = 64
MAX_PROFILE_TEXT = 2000


class RelationType:
    """SS 12000 responsible-adult relation types."""

    GUARDIAN = "Vårdnadshavare"
    OTHER_RESPONSIBLE = "Annan ansvarig"
    ALL = (GUARDIAN, OTHER_RESPONSIBLE, "God man", "Utsedd behörig")


class SecurityMarking(StrEnum):
    """SS 12000 securityMarking. Anything but ``Ingen`` hides the person's contact details."""

    NONE = "Ingen"
    SECRECY = "Sekretessmarkering"
    PROTECTED = "Skyddad folkbokföring"


def within(start: date | Shredded, end: date | Shredded | None, day: date) -> bool:
    if isinstance(start, Shredded) or isinstance(end, Shredded):
        return False
    return start <= day and (end is None or day <= end)


MAX_NAME = 100
MAX_REASON = 500


class RestrictionGrounds(StrEnum):
    """Why processing is restricted (GDPR art. 18.1 a-d)."""

    ACCURACY_CONTESTED = "accuracy-contested"
    UNLAWFUL_PROCESSING = "unlawful-processing"
    LEGAL_CLAIMS = "legal-claims"
    OBJECTION_PENDING = "objection-pending"


def _check_note(note: str) -> None:
    if not note.strip() or len(note) > MAX_REASON:
        raise RuleViolationError(
            f"a note of 1 to {MAX_REASON} characters: who asked, and why", field="note"
        )


class PersonRegistered(Aggregate.Created):
    """What registering any person records: name and civic number, sealed as identity. Each
    kind of person has its own subclass (``Child.Registered``, ...), so topics say which."""

    given_name: Annotated[str | Shredded, _ID]
    family_name: Annotated[str | Shredded, _ID]
    civic_number: Annotated[str | Shredded, _ID]
    civic_kind: Annotated[str | Shredded, _ID]


class PersonRecord(Aggregate):
    """What every person has besides identity: contact details, a protected-identity marking,
    an optional profile and their own settings (SS 12000 Person; the seed's Unikum list)."""

    Event = OwnStreamEvent  # one person's own stream: no readable record time (ADR 0023)

    class ContactChanged(Aggregate.Event):
        class_version = 2
        mobile: Annotated[str | Shredded | None, _CONTACT]
        email: Annotated[str | Shredded | None, _CONTACT]
        generation: int  # the contact details' key generation (Renewed); not personal

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["generation"] = 0  # written before generations: the first

    class SecurityMarkingChanged(Aggregate.Event):
        marking: Annotated[str | Shredded, _ID]

    class ProfileChanged(Aggregate.Event):
        class_version = 2
        picture_type: Annotated[str | Shredded | None, _PROFILE]
        picture: Annotated[str | Shredded | None, _PROFILE]  # base64
        profile_text: Annotated[str | Shredded | None, _PROFILE]
        generation: int  # the profile's key generation (Renewed); not personal

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["generation"] = 0  # written before generations: the first

    class SettingsChanged(Aggregate.Event):
        class_version = 2
        settings: Annotated[dict[str, bool] | Shredded, _PROFILE]
        generation: int

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["generation"] = 0

    class Renewed(Aggregate.Event):
        """Contact details or the profile start afresh after their data was culled (erased
        on request, or the person was no longer current and has come back): what the person
        gives later is sealed under the category's next generation, as a culled scope can
        never be written again."""

        category: str
        generation: int

    class ProcessingRestricted(Aggregate.Event):
        """Processing limited to storage and what the law allows (GDPR art. 18), on the
        grounds given; the note says who asked and why."""

        grounds: Annotated[str | Shredded, _ID]
        note: Annotated[str | Shredded, _ID]

    class RestrictionLifted(Aggregate.Event):
        note: Annotated[str | Shredded, _ID]

    class IdentityCorrected(Aggregate.Event):
        """A name recorded wrongly, put right (rectification, GDPR art. 16). A new event, so
        the history keeps what was recorded, when it was corrected and why."""

        given_name: Annotated[str | Shredded, _ID]
        family_name: Annotated[str | Shredded, _ID]
        reason: Annotated[str | Shredded, _ID]

    def _identify(
        self,
        given_name: str | Shredded,
        family_name: str | Shredded,
        civic_number: str | Shredded,
        civic_kind: str | Shredded,
    ) -> None:
        self.given_name = given_name
        self.family_name = family_name
        self.civic_number = civic_number
        self.civic_kind = civic_kind

    def _person_init(self) -> None:
        self.mobile: str | Shredded | None = None
        self.email: str | Shredded | None = None
        self.marking: str | Shredded = SecurityMarking.NONE
        self.picture_type: str | Shredded | None = None
        self.picture: str | Shredded | None = None
        self.profile_text: str | Shredded | None = None
        self.restriction: str | Shredded | None = None  # grounds, while restricted
        self.settings: dict[str, bool] | Shredded = {}
        self.generations: dict[str, int] = {}  # category -> its current generation

    @property
    def protected(self) -> bool:
        """Whether contact details must be hidden; a culled marking hides them too."""
        return self.marking != SecurityMarking.NONE

    def data_subjects(self) -> list[UUID]:
        """Whose personal data loading this record touches, for the access log: the person."""
        return [self.id]

    # -- contact ---------------------------------------------------------------------------

    def change_contact(self, mobile: str | None, email: str | None) -> None:
        if (mobile, email) == (self.mobile, self.email):
            return
        self._contact_changed(
            mobile=mobile, email=email, generation=self.generation(Category.CONTACT)
        )

    @event(ContactChanged)
    def _contact_changed(
        self, mobile: str | Shredded | None, email: str | Shredded | None, generation: int
    ) -> None:
        self.mobile = mobile
        self.email = email

    def correct_identity(self, given_name: str, family_name: str, reason: str) -> bool:
        """Put a wrongly recorded name right; False if it already reads so (a retry)."""
        names = given_name.strip(), family_name.strip()
        for field, value in zip(("given_name", "family_name"), names, strict=True):
            if not value or len(value) > MAX_NAME:
                raise RuleViolationError(f"a name of 1 to {MAX_NAME} characters", field=field)
        if not reason.strip() or len(reason) > MAX_REASON:
            raise RuleViolationError(
                f"a correction needs its reason (at most {MAX_REASON} characters)", field="reason"
            )
        if names == (self.given_name, self.family_name):
            return False
        self._identity_corrected(given_name=names[0], family_name=names[1], reason=reason.strip())
        return True

    @event(IdentityCorrected)
    def _identity_corrected(
        self, given_name: str | Shredded, family_name: str | Shredded, reason: str | Shredded
    ) -> None:
        self.given_name = given_name
        self.family_name = family_name

    def restrict_processing(self, grounds: str, note: str) -> bool:
        """Restrict processing on these grounds; False if already restricted on them."""
        try:
            checked = RestrictionGrounds(grounds)
        except ValueError:
            allowed = ", ".join(g.value for g in RestrictionGrounds)
            raise RuleViolationError(f"grounds must be one of {allowed}", field="grounds") from None
        _check_note(note)
        if self.restriction == checked:
            return False
        self._restricted(grounds=str(checked), note=note.strip())
        return True

    @event(ProcessingRestricted)
    def _restricted(self, grounds: str | Shredded, note: str | Shredded) -> None:
        self.restriction = grounds

    def lift_restriction(self, note: str) -> bool:
        """Lift the restriction; False if there is none (a retry)."""
        _check_note(note)
        if self.restriction is None:
            return False
        self._lifted(note=note.strip())
        return True

    @event(RestrictionLifted)
    def _lifted(self, note: str | Shredded) -> None:
        self.restriction = None

    def mark_security(self, marking: str) -> None:
        try:
            value = SecurityMarking(marking)
        except ValueError:
            raise RuleViolationError(
                f"security marking must be one of {', '.join(SecurityMarking)}", field="marking"
            ) from None
        if value != self.marking:
            self._marked(marking=str(value))

    @event(SecurityMarkingChanged)
    def _marked(self, marking: str | Shredded) -> None:
        self.marking = marking

    # -- profile and settings ----------------------------------------------------------------

    def change_profile(
        self, picture_type: str | None, picture: str | None, profile_text: str | None
    ) -> None:
        if (picture is None) != (picture_type is None):
            raise RuleViolationError("a picture needs its media type", field="picture_type")
        if picture is not None and picture_type is not None:
            _check_picture(picture_type, picture)
        if profile_text is not None and len(profile_text) > MAX_PROFILE_TEXT:
            raise RuleViolationError(
                f"profile text is longer than {MAX_PROFILE_TEXT} characters", field="profile_text"
            )
        self._profile_changed(
            picture_type=picture_type,
            picture=picture,
            profile_text=profile_text,
            generation=self.generation(Category.PROFILE),
        )

    @event(ProfileChanged)
    def _profile_changed(
        self,
        picture_type: str | Shredded | None,
        picture: str | Shredded | None,
        profile_text: str | Shredded | None,
        generation: int,
    ) -> None:
        self.picture_type = picture_type
        self.picture = picture
        self.profile_text = profile_text

    def change_settings(self, settings: dict[str, bool]) -> None:
        if len(settings) > MAX_SETTINGS:
            raise RuleViolationError(f"at most {MAX_SETTINGS} settings", field="settings")
        for name, value in settings.items():
            if not _SETTING_NAME.match(name) or not isinstance(value, bool):
                raise RuleViolationError(
                    "a setting is a lowercase name with a true or false value", field="settings"
                )
        if settings != self.settings:
            self._settings_changed(
                settings=dict(settings), generation=self.generation(Category.PROFILE)
            )

    @event(SettingsChanged)
    def _settings_changed(self, settings: dict[str, bool] | Shredded, generation: int) -> None:
        self.settings = settings

    # -- generations -----------------------------------------------------------------------

    def generation(self, category: Category) -> int:
        return self.generations.get(str(category), 0)

    def renew(self, category: str) -> None:
        """Start the category's next generation: its current scope has been culled."""
        if category not in RENEWABLE:
            raise RuleViolationError(f"{category} data does not start afresh", field="category")
        self._renewed(category=category, generation=self.generations.get(category, 0) + 1)

    @event(Renewed)
    def _renewed(self, category: str, generation: int) -> None:
        self.generations[category] = generation


def _check_picture(picture_type: str, picture: str) -> None:
    check_photo_type(picture_type, field="picture_type")
    data = decode_base64(picture, field="picture")
    check_photo(picture_type, data, field="picture", type_field="picture_type")
