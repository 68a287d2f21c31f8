"""Commands and queries about the organisation tree and its groups.

A parent records its child units, and a school unit its groups, in an event saved in the same
transaction as the new aggregate: the tree is navigable from any node without a projection,
and a crash can never leave a unit or group its parent does not know.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from contextlib import suppress
from datetime import date
from typing import TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from api.app_base import GallraBase
from api.org_views import GroupView, OrgUnitView, group_view, unit_view
from domain.errors import NotFoundError, RuleViolationError
from domain.organisation import (
    Group,
    OrganisationType,
    SchoolForm,
    Unit,
    parse_group_type,
    parse_school_forms,
)

A = TypeVar("A", bound=Aggregate)
SCHOOL_UNIT_CODE = re.compile(r"[0-9]{8}")
"""Skolverket's skolenhetskod: eight digits."""


def parse_organisation_type(value: str) -> OrganisationType:
    try:
        return OrganisationType(value)
    except ValueError:
        raise RuleViolationError(
            f"organisation type must be one of {', '.join(OrganisationType)}",
            field="organisation_type",
        ) from None


def check_new_unit(
    name: str,
    organisation_type: OrganisationType,
    school_forms: list[SchoolForm],
    school_unit_code: str | None,
    forms_field: str,
) -> None:
    """School forms and a skolenhetskod belong to a Skolenhet only, and a Skolenhet has at
    least one school form: the nodes above it organise, children are placed only in it."""
    if not name.strip():
        raise RuleViolationError("a unit needs a name", field="name")
    school_unit = organisation_type == OrganisationType.SKOLENHET
    if school_unit and not school_forms:
        raise RuleViolationError("a Skolenhet needs at least one school form", field=forms_field)
    if not school_unit and school_forms:
        raise RuleViolationError(
            f"a {organisation_type} organises school units and has no school forms",
            field=forms_field,
        )
    if school_unit_code is not None:
        if not SCHOOL_UNIT_CODE.fullmatch(school_unit_code):
            raise RuleViolationError(
                "a school unit code (skolenhetskod) is eight digits", field="school_unit_code"
            )
        if not school_unit:
            raise RuleViolationError(
                "only a Skolenhet has a school unit code", field="school_unit_code"
            )


class OrganisationCommands(GallraBase):
    """The organisation tree (SS 12000 Organisation) and groups (SS 12000 Group)."""

    def _get_named(self, cls: type[A], aggregate_id: UUID, what: str, field: str) -> A:
        """Like ``_get``, pointing at the input that named the missing aggregate."""
        try:
            return self._get(cls, aggregate_id, what)
        except NotFoundError as e:
            raise NotFoundError(str(e), field=field) from None

    # -- the tree --------------------------------------------------------------------------

    def create_unit(
        self,
        name: str,
        school_form: str | None = None,
        *,
        organisation_type: str = OrganisationType.SKOLENHET,
        school_forms: list[str] | None = None,
        parent_id: UUID | None = None,
        school_unit_code: str | None = None,
    ) -> UUID:
        """Create a node of the tree; ``create_unit(name, school_form)`` still makes a
        Skolenhet of one school form, as the first slice did."""
        if school_form is not None and school_forms is not None:
            raise RuleViolationError(
                "give school_forms or school_form, not both", field="school_form"
            )
        kind = parse_organisation_type(organisation_type)
        forms_field = "school_form" if school_form is not None else "school_forms"
        given = [school_form] if school_form is not None else list(school_forms or [])
        forms = parse_school_forms(given, forms_field)
        check_new_unit(name, kind, forms, school_unit_code, forms_field)

        def new_unit() -> Unit:
            return Unit(
                name=name,
                school_form=str(forms[0]) if forms else None,
                school_forms=[str(f) for f in forms],
                organisation_type=str(kind),
                parent_id=parent_id,
                school_unit_code=school_unit_code,
            )

        if parent_id is None:
            unit = new_unit()
            self.save(unit)
            return unit.id

        def command() -> UUID:
            parent = self._get_named(Unit, parent_id, "unit", "parent_id")
            if parent.organisation_type == OrganisationType.SKOLENHET:
                raise RuleViolationError(
                    f"unit {parent_id} is a Skolenhet: no unit is organised below it",
                    field="parent_id",
                )
            unit = new_unit()
            parent.add_subunit(unit.id)
            self.save(parent, unit)
            return unit.id

        return self._retrying(command)  # type: ignore[no-any-return]

    def add_department(self, unit_id: UUID, name: str) -> UUID:
        def command() -> UUID:
            unit = self._get(Unit, unit_id, "unit")
            department_id = unit.add_department(name)
            self.save(unit)
            return department_id

        return self._retrying(command)  # type: ignore[no-any-return]

    def get_unit(self, unit_id: UUID) -> OrgUnitView:
        return unit_view(self._get(Unit, unit_id, "unit"))

    def org_names(self, unit_ids: Iterable[UUID], group_ids: Iterable[UUID]) -> dict[UUID, str]:
        """The names of these units (and all their departments) and groups, for documents
        that would otherwise show bare ids; an id that is not one is left out. Organisation
        data, not personal: only units and groups are loaded, never a person."""
        names: dict[UUID, str] = {}
        for unit_id in sorted(set(unit_ids), key=str):
            with suppress(NotFoundError):
                unit = self._get(Unit, unit_id, "unit")
                names[unit_id] = unit.name
                names.update(unit.departments)
        for group_id in sorted(set(group_ids), key=str):
            with suppress(NotFoundError):
                names[group_id] = self._get(Group, group_id, "group").name
        return names

    # -- groups ----------------------------------------------------------------------------

    def create_group(
        self,
        unit_id: UUID,
        name: str,
        group_type: str,
        school_forms: list[str],
        start: date,
        end: date | None = None,
    ) -> UUID:
        """Create a group at a Skolenhet, of some of the unit's school forms."""
        if not name.strip():
            raise RuleViolationError("a group needs a name", field="name")
        kind = parse_group_type(group_type)
        forms = parse_school_forms(school_forms)
        if end is not None and end < start:
            raise RuleViolationError("a group cannot end before it starts", field="end")

        def command() -> UUID:
            unit = self._get_named(Unit, unit_id, "unit", "unit_id")
            group = Group(
                unit_id=unit_id,
                name=name,
                group_type=str(kind),
                school_forms=[str(f) for f in forms],
                start=start,
                end=end,
            )
            unit.add_group(group.id, forms)
            self.save(unit, group)
            return group.id

        return self._retrying(command)  # type: ignore[no-any-return]

    def end_group(self, group_id: UUID, end: date) -> None:
        def command() -> None:
            group = self._get(Group, group_id, "group")
            group.close(end)
            self.save(group)

        self._retrying(command)

    def get_group(self, group_id: UUID) -> GroupView:
        return group_view(self._get(Group, group_id, "group"))

    def list_groups(self, unit_id: UUID) -> list[GroupView]:
        """The groups of a unit, in the order they were created."""
        unit = self._get(Unit, unit_id, "unit")
        return [self.get_group(group_id) for group_id in unit.groups]
