"""People: children and students, guardians, staff. A person's own stream holds sealed data only.

Identity (names, civic number, protected-identity marking, guardianship) is sealed under the
person's identity scope; contact details and the optional profile under scopes of their own,
so each can be culled on its own rule. Where a person belongs (a placement, a group, a duty) is
sealed under a placement scope whose epoch is the placement or duty itself, so each can be
culled once it is no longer current.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from domain.errors import ConflictError, NotFoundError, RuleViolationError
from domain.organisation import SchoolForm
from domain.personal import Category, Personal, Shredded, ValueOf
from domain.transition import TransitionArchive

_ID = Personal(Category.IDENTITY)
_CONTACT = Personal(Category.CONTACT)
_PROFILE = Personal(Category.PROFILE)
_PLACEMENT = Personal(Category.PLACEMENT, epoch=ValueOf("placement_id"))
_DUTY = Personal(Category.PLACEMENT, epoch=ValueOf("duty_id"))

MAX_PICTURE_BYTES = 256 * 1024
PICTURE_TYPES = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}
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


class DutyRole(StrEnum):
    """SS 12000 dutyRole (the roles Gallra's access rules know)."""

    REKTOR = "Rektor"
    LARARE = "Lärare"
    FORSKOLLARARE = "Förskollärare"
    BARNSKOTARE = "Barnskötare"
    FRITIDSPEDAGOG = "Fritidspedagog"
    ELEVASSISTENT = "Elevassistent"
    SPECIALPEDAGOG = "Speciallärare/specialpedagog"
    KURATOR = "Kurator"
    SKOLSKOTERSKA = "Skolsköterska"
    STUDIE_OCH_YRKESVAGLEDARE = "Studie- och yrkesvägledare"
    ANNAN_PERSONAL = "Annan personal"


class AssignmentRole(StrEnum):
    """SS 12000 assignmentRoleType: what a staff member is to a group."""

    MENTOR = "Mentor"
    LARARE = "Lärare"
    FORSKOLLARARE = "Förskollärare"
    BARNSKOTARE = "Barnskötare"
    ELEVASSISTENT = "Elevassistent"
    FRITIDSPEDAGOG = "Fritidspedagog"
    ANNAN_PERSONAL = "Annan personal"


def _within(start: date | Shredded, end: date | Shredded | None, day: date) -> bool:
    if isinstance(start, Shredded) or isinstance(end, Shredded):
        return False
    return start <= day and (end is None or day <= end)


def _check_period(start: date, end: date | None) -> None:
    if end is not None and end < start:
        raise RuleViolationError("a period cannot end before it starts", field="end")


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

    class ContactChanged(Aggregate.Event):
        mobile: Annotated[str | Shredded | None, _CONTACT]
        email: Annotated[str | Shredded | None, _CONTACT]

    class SecurityMarkingChanged(Aggregate.Event):
        marking: Annotated[str | Shredded, _ID]

    class ProfileChanged(Aggregate.Event):
        picture_type: Annotated[str | Shredded | None, _PROFILE]
        picture: Annotated[str | Shredded | None, _PROFILE]  # base64
        profile_text: Annotated[str | Shredded | None, _PROFILE]

    class SettingsChanged(Aggregate.Event):
        settings: Annotated[dict[str, bool] | Shredded, _PROFILE]

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
        self.settings: dict[str, bool] | Shredded = {}

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
        self._contact_changed(mobile=mobile, email=email)

    @event(ContactChanged)
    def _contact_changed(self, mobile: str | Shredded | None, email: str | Shredded | None) -> None:
        self.mobile = mobile
        self.email = email

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
        self._profile_changed(picture_type=picture_type, picture=picture, profile_text=profile_text)

    @event(ProfileChanged)
    def _profile_changed(
        self,
        picture_type: str | Shredded | None,
        picture: str | Shredded | None,
        profile_text: str | Shredded | None,
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
            self._settings_changed(settings=dict(settings))

    @event(SettingsChanged)
    def _settings_changed(self, settings: dict[str, bool] | Shredded) -> None:
        self.settings = settings


def _check_picture(picture_type: str, picture: str) -> None:
    magic = PICTURE_TYPES.get(picture_type)
    if magic is None:
        raise RuleViolationError(
            f"picture must be one of {', '.join(PICTURE_TYPES)}", field="picture_type"
        )
    try:
        data = base64.b64decode(picture, validate=True)
    except (binascii.Error, ValueError):
        raise RuleViolationError("picture must be base64", field="picture") from None
    if len(data) > MAX_PICTURE_BYTES:
        raise RuleViolationError(
            f"picture is larger than {MAX_PICTURE_BYTES // 1024} KiB", field="picture"
        )
    if not data.startswith(magic):
        raise RuleViolationError(f"picture is not a {picture_type} image", field="picture")


class Guardian(PersonRecord):
    """A guardian or other responsible adult (vårdnadshavare / annan ansvarig vuxen)."""

    class Registered(PersonRegistered):
        pass

    @event(Registered)
    def __init__(
        self,
        given_name: str | Shredded,
        family_name: str | Shredded,
        civic_number: str | Shredded,
        civic_kind: str | Shredded,
    ) -> None:
        self._identify(given_name, family_name, civic_number, civic_kind)
        self._person_init()


@dataclass(frozen=True, slots=True)
class Placement:
    placement_id: UUID
    unit_id: UUID | Shredded
    department_id: UUID | Shredded | None
    start: date | Shredded
    end: date | Shredded | None
    school_form: str | Shredded | None = None  # None: placed before placements had one

    def active_on(self, day: date) -> bool:
        return _within(self.start, self.end, day)

    @property
    def open(self) -> bool:
        return self.end is None and not isinstance(self.start, Shredded)


@dataclass(frozen=True, slots=True)
class Membership:
    membership_id: UUID
    placement_id: UUID
    group_id: UUID | Shredded
    start: date | Shredded
    end: date | Shredded | None

    def active_on(self, day: date) -> bool:
        return _within(self.start, self.end, day)


class Child(PersonRecord, TransitionArchive):
    """A child or student (barn/elev): the person placements, attendance and documentation
    are about, with guardians and placements, group memberships within a placement, and the
    consents and transfers of its transition documentation."""

    class Registered(PersonRegistered):
        pass

    class GuardianLinked(Aggregate.Event):
        guardian_id: Annotated[UUID | Shredded, _ID]
        relation: Annotated[str | Shredded, _ID]

    class Placed(Aggregate.Event):
        """Version 2 adds the school form and allows a placement without a department."""

        class_version = 2
        placement_id: UUID
        unit_id: Annotated[UUID | Shredded, _PLACEMENT]
        department_id: Annotated[UUID | Shredded | None, _PLACEMENT]
        start: Annotated[date | Shredded, _PLACEMENT]
        school_form: Annotated[str | Shredded | None, _PLACEMENT]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state.setdefault("school_form", None)

    class PlacementEnded(Aggregate.Event):
        placement_id: UUID
        end: Annotated[date | Shredded, _PLACEMENT]

    class JoinedGroup(Aggregate.Event):
        membership_id: UUID
        placement_id: UUID
        group_id: Annotated[UUID | Shredded, _PLACEMENT]
        start: Annotated[date | Shredded, _PLACEMENT]

    class LeftGroup(Aggregate.Event):
        membership_id: UUID
        placement_id: UUID
        end: Annotated[date | Shredded, _PLACEMENT]

    @event(Registered)
    def __init__(
        self,
        given_name: str | Shredded,
        family_name: str | Shredded,
        civic_number: str | Shredded,
        civic_kind: str | Shredded,
    ) -> None:
        self._identify(given_name, family_name, civic_number, civic_kind)
        self.guardians: dict[UUID, str | Shredded] = {}
        self.culled_guardian_links = 0
        self.placements: dict[UUID, Placement] = {}
        self.memberships: dict[UUID, Membership] = {}
        self._person_init()
        self._archive_init()

    # -- guardians -------------------------------------------------------------------------

    def link_guardian(self, guardian_id: UUID, relation: str = RelationType.GUARDIAN) -> None:
        if relation not in RelationType.ALL:
            raise RuleViolationError(
                f"relation must be one of {', '.join(RelationType.ALL)}", field="relation"
            )
        if guardian_id in self.guardians:
            return  # linking twice changes nothing: retries are safe
        self._link_guardian(guardian_id=guardian_id, relation=relation)

    @event(GuardianLinked)
    def _link_guardian(self, guardian_id: UUID | Shredded, relation: str | Shredded) -> None:
        if isinstance(guardian_id, Shredded):
            self.culled_guardian_links += 1
        else:
            self.guardians[guardian_id] = relation

    def is_responsible_adult(self, person_id: UUID) -> bool:
        return person_id in self.guardians

    def custodians(self) -> list[UUID]:
        """Guardians with custody (vårdnadshavare), as opposed to other responsible adults."""
        return [g for g, r in self.guardians.items() if r == RelationType.GUARDIAN]

    # -- placements ------------------------------------------------------------------------

    def place(
        self,
        unit_id: UUID,
        department_id: UUID | None,
        start: date,
        school_form: str | None = None,
    ) -> UUID:
        """Place the child at a unit (and department) from ``start``: one open placement per
        school form, so a pupil can be in grundskola and fritidshem at once."""
        for placement in self.placements.values():
            if placement.open and placement.school_form == school_form:
                raise ConflictError(
                    f"child {self.id} already has open placement {placement.placement_id} "
                    f"in {school_form or 'this school form'}; end or move it instead",
                    field="start",
                )
        placement_id = uuid4()
        self._place(
            placement_id=placement_id,
            unit_id=unit_id,
            department_id=department_id,
            start=start,
            school_form=school_form,
        )
        return placement_id

    @event(Placed)
    def _place(
        self,
        placement_id: UUID,
        unit_id: UUID | Shredded,
        department_id: UUID | Shredded | None,
        start: date | Shredded,
        school_form: str | Shredded | None,
    ) -> None:
        self.placements[placement_id] = Placement(
            placement_id, unit_id, department_id, start, None, school_form
        )

    def end_placement(self, placement_id: UUID, end: date) -> None:
        placement = self._placement(placement_id)
        if placement.end is not None:
            raise ConflictError(f"placement {placement_id} has already ended")
        if not isinstance(placement.start, Shredded) and end < placement.start:
            raise RuleViolationError("a placement cannot end before it starts", field="end")
        for membership in self.memberships.values():
            if membership.placement_id == placement_id and membership.end is None:
                self._left_group(
                    membership_id=membership.membership_id, placement_id=placement_id, end=end
                )
        self._end_placement(placement_id=placement_id, end=end)

    def move(self, placement_id: UUID, unit_id: UUID, department_id: UUID | None, on: date) -> UUID:
        """End a placement the day before ``on`` and start one in the same school form at
        another unit or department from ``on``; both events are saved together. From school
        age the transition documentation follows the student to the new unit; from preschool
        it needs consent, so it is transferred by its own command."""
        placement = self._placement(placement_id)
        if not placement.open:
            raise ConflictError(f"placement {placement_id} is not open", field="placement_id")
        if isinstance(placement.start, date) and on <= placement.start:
            raise RuleViolationError("a move must come after the placement starts", field="on")
        if placement.unit_id == unit_id and placement.department_id == department_id:
            raise ConflictError("the child is already placed there", field="unit_id")
        form = None if isinstance(placement.school_form, Shredded) else placement.school_form
        self.end_placement(placement_id, date.fromordinal(on.toordinal() - 1))
        new_id = self.place(unit_id, department_id, on, form)
        from_unit = placement.unit_id
        school_age = form not in (None, SchoolForm.FORSKOLA)
        if school_age and isinstance(from_unit, UUID) and from_unit != unit_id:
            self.transfer_documentation(from_unit, form, new_id, unit_id, on)
        return new_id

    @event(PlacementEnded)
    def _end_placement(self, placement_id: UUID, end: date | Shredded) -> None:
        placement = self.placements[placement_id]
        self.placements[placement_id] = Placement(
            placement.placement_id,
            placement.unit_id,
            placement.department_id,
            placement.start,
            end,
            placement.school_form,
        )

    def _placement(self, placement_id: UUID) -> Placement:
        placement = self.placements.get(placement_id)
        if placement is None:
            raise NotFoundError(f"child {self.id} has no placement {placement_id}")
        return placement

    def placement_at(self, department_id: UUID, day: date) -> Placement | None:
        for placement in self.placements.values():
            if placement.department_id == department_id and placement.active_on(day):
                return placement
        return None

    def active_placements(self, day: date) -> list[Placement]:
        return [p for p in self.placements.values() if p.active_on(day)]

    # -- groups ----------------------------------------------------------------------------

    def join_group(self, placement_id: UUID, group_id: UUID, start: date) -> UUID:
        """Join a group of the placement's unit; joining a group one is in changes nothing."""
        placement = self._placement(placement_id)
        if not placement.open and not (isinstance(placement.end, date) and start <= placement.end):
            raise ConflictError(f"placement {placement_id} has ended", field="placement_id")
        if isinstance(placement.start, date) and start < placement.start:
            raise RuleViolationError(
                "group membership cannot start before the placement", field="start"
            )
        for membership in self.memberships.values():
            if membership.group_id == group_id and membership.end is None:
                return membership.membership_id
        membership_id = uuid4()
        self._joined_group(
            membership_id=membership_id, placement_id=placement_id, group_id=group_id, start=start
        )
        return membership_id

    @event(JoinedGroup)
    def _joined_group(
        self,
        membership_id: UUID,
        placement_id: UUID,
        group_id: UUID | Shredded,
        start: date | Shredded,
    ) -> None:
        self.memberships[membership_id] = Membership(
            membership_id, placement_id, group_id, start, None
        )

    def leave_group(self, group_id: UUID, end: date) -> None:
        for membership in self.memberships.values():
            if membership.group_id == group_id and membership.end is None:
                if isinstance(membership.start, date) and end < membership.start:
                    raise RuleViolationError(
                        "a membership cannot end before it starts", field="end"
                    )
                self._left_group(
                    membership_id=membership.membership_id,
                    placement_id=membership.placement_id,
                    end=end,
                )
                return
        raise NotFoundError(f"child {self.id} is not in group {group_id}", field="group_id")

    @event(LeftGroup)
    def _left_group(self, membership_id: UUID, placement_id: UUID, end: date | Shredded) -> None:
        m = self.memberships[membership_id]
        self.memberships[membership_id] = Membership(
            m.membership_id, m.placement_id, m.group_id, m.start, end
        )


@dataclass(frozen=True, slots=True)
class Duty:
    duty_id: UUID
    unit_id: UUID | Shredded
    role: str | Shredded
    start: date | Shredded
    end: date | Shredded | None

    def active_on(self, day: date) -> bool:
        return _within(self.start, self.end, day)


@dataclass(frozen=True, slots=True)
class Assignment:
    assignment_id: UUID
    duty_id: UUID
    group_id: UUID | Shredded
    role: str | Shredded
    start: date | Shredded
    end: date | Shredded | None

    def active_on(self, day: date) -> bool:
        return _within(self.start, self.end, day)


class Staff(PersonRecord):
    """A member of staff (personal) with duties at units and assignments to groups (SS 12000
    Duty). The assignments connect staff to students; access control follows them."""

    class Registered(PersonRegistered):
        pass

    class DutyAssigned(Aggregate.Event):
        duty_id: UUID
        unit_id: Annotated[UUID | Shredded, _DUTY]
        role: Annotated[str | Shredded, _DUTY]
        start: Annotated[date | Shredded, _DUTY]

    class DutyEnded(Aggregate.Event):
        duty_id: UUID
        end: Annotated[date | Shredded, _DUTY]

    class AssignedToGroup(Aggregate.Event):
        assignment_id: UUID
        duty_id: UUID
        group_id: Annotated[UUID | Shredded, _DUTY]
        role: Annotated[str | Shredded, _DUTY]
        start: Annotated[date | Shredded, _DUTY]

    class AssignmentEnded(Aggregate.Event):
        assignment_id: UUID
        duty_id: UUID
        end: Annotated[date | Shredded, _DUTY]

    @event(Registered)
    def __init__(
        self,
        given_name: str | Shredded,
        family_name: str | Shredded,
        civic_number: str | Shredded,
        civic_kind: str | Shredded,
    ) -> None:
        self._identify(given_name, family_name, civic_number, civic_kind)
        self.duties: dict[UUID, Duty] = {}
        self.assignments: dict[UUID, Assignment] = {}
        self._person_init()

    def assign_duty(self, unit_id: UUID, role: str, start: date) -> UUID:
        try:
            duty_role = DutyRole(role)
        except ValueError:
            raise RuleViolationError(
                f"duty role must be one of {', '.join(DutyRole)}", field="role"
            ) from None
        for duty in self.duties.values():
            if duty.unit_id == unit_id and duty.role == duty_role and duty.end is None:
                return duty.duty_id  # the same open duty again: a retry
        duty_id = uuid4()
        self._duty_assigned(duty_id=duty_id, unit_id=unit_id, role=str(duty_role), start=start)
        return duty_id

    @event(DutyAssigned)
    def _duty_assigned(
        self,
        duty_id: UUID,
        unit_id: UUID | Shredded,
        role: str | Shredded,
        start: date | Shredded,
    ) -> None:
        self.duties[duty_id] = Duty(duty_id, unit_id, role, start, None)

    def end_duty(self, duty_id: UUID, end: date) -> None:
        duty = self.duties.get(duty_id)
        if duty is None:
            raise NotFoundError(f"staff {self.id} has no duty {duty_id}", field="duty_id")
        if duty.end is not None:
            raise ConflictError(f"duty {duty_id} has already ended", field="duty_id")
        if isinstance(duty.start, date) and end < duty.start:
            raise RuleViolationError("a duty cannot end before it starts", field="end")
        for assignment in self.assignments.values():
            if assignment.duty_id == duty_id and assignment.end is None:
                self._assignment_ended(
                    assignment_id=assignment.assignment_id, duty_id=duty_id, end=end
                )
        self._duty_ended(duty_id=duty_id, end=end)

    @event(DutyEnded)
    def _duty_ended(self, duty_id: UUID, end: date | Shredded) -> None:
        d = self.duties[duty_id]
        self.duties[duty_id] = Duty(d.duty_id, d.unit_id, d.role, d.start, end)

    def assign_to_group(self, duty_id: UUID, group_id: UUID, role: str, start: date) -> UUID:
        """Assign to a group (or a department) under a duty: the connection to its students."""
        duty = self.duties.get(duty_id)
        if duty is None:
            raise NotFoundError(f"staff {self.id} has no duty {duty_id}", field="duty_id")
        if duty.end is not None:
            raise ConflictError(f"duty {duty_id} has ended", field="duty_id")
        try:
            assignment_role = AssignmentRole(role)
        except ValueError:
            raise RuleViolationError(
                f"assignment role must be one of {', '.join(AssignmentRole)}", field="role"
            ) from None
        for a in self.assignments.values():
            same = (a.duty_id, a.group_id, a.role) == (duty_id, group_id, assignment_role)
            if same and a.end is None:
                return a.assignment_id  # the same open assignment again: a retry
        assignment_id = uuid4()
        self._assigned_to_group(
            assignment_id=assignment_id,
            duty_id=duty_id,
            group_id=group_id,
            role=str(assignment_role),
            start=start,
        )
        return assignment_id

    @event(AssignedToGroup)
    def _assigned_to_group(
        self,
        assignment_id: UUID,
        duty_id: UUID,
        group_id: UUID | Shredded,
        role: str | Shredded,
        start: date | Shredded,
    ) -> None:
        self.assignments[assignment_id] = Assignment(
            assignment_id, duty_id, group_id, role, start, None
        )

    def end_assignment(self, assignment_id: UUID, end: date) -> None:
        a = self.assignments.get(assignment_id)
        if a is None:
            raise NotFoundError(
                f"staff {self.id} has no assignment {assignment_id}", field="assignment_id"
            )
        if a.end is not None:
            raise ConflictError(
                f"assignment {assignment_id} has already ended", field="assignment_id"
            )
        if isinstance(a.start, date) and end < a.start:
            raise RuleViolationError("an assignment cannot end before it starts", field="end")
        self._assignment_ended(assignment_id=assignment_id, duty_id=a.duty_id, end=end)

    @event(AssignmentEnded)
    def _assignment_ended(self, assignment_id: UUID, duty_id: UUID, end: date | Shredded) -> None:
        a = self.assignments[assignment_id]
        self.assignments[assignment_id] = Assignment(
            a.assignment_id, a.duty_id, a.group_id, a.role, a.start, end
        )
