"""Student documentation: entries with a full version history, read by who is connected."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, status

from api.bootstrap import Gallra, today
from api.documentation_commands import EntryView, VersionView
from api.http.deps import GallraDep, require
from api.http.documentation_policy import Reader
from api.http.reading_policy import hidden
from api.http.schemas import Created, shown
from api.http.schemas_documentation import (
    CategoryPublic,
    EntryCreate,
    EntryHistory,
    EntryPublic,
    EntryRevise,
    Revised,
    VersionPublic,
)
from api.tokens import Principal, Role
from domain.documentation import (
    LABELS,
    SCHOOL_ONLY,
    TRANSITION_PRESCHOOL,
    TRANSITION_SCHOOL,
)
from domain.errors import RuleViolationError

router = APIRouter(tags=["documentation"])

Readers = Annotated[
    Principal, Depends(require(Role.STAFF, Role.GUARDIAN, Role.STUDENT, Role.AUDITOR))
]
Staff = Annotated[Principal, Depends(require(Role.STAFF))]


def _version(v: VersionView) -> VersionPublic:
    values, culled = shown({"author_id": v.author_id, "title": v.title, "content": v.content})
    return VersionPublic(number=v.number, recorded_at=v.recorded_at, culled=culled, **values)


def _entry(view: EntryView) -> EntryPublic:
    values, culled = shown(
        {"student_id": view.student_id, "unit_id": view.unit_id, "written_on": view.written_on}
    )
    return EntryPublic(
        id=view.id,
        category=view.category,
        school_form=view.school_form,
        transition=view.transition,
        version=_version(view.current),
        versions=len(view.versions),
        culled=culled,
        **values,
    )


def _author(principal: Principal) -> UUID:
    if principal.subject is None:
        raise RuleViolationError("the staff token names no staff member", field="author")
    return principal.subject


def _readable(gallra: Gallra, principal: Principal, entry_id: UUID) -> EntryView:
    view = gallra.app.get_entry(entry_id)
    if not isinstance(view.student_id, UUID):
        raise hidden("documentation entry", entry_id)  # culled: nothing left to show
    reader = Reader(gallra, principal, view.student_id, today(gallra))
    if not reader.may_read(view):
        raise hidden("documentation entry", entry_id)
    return view


@router.get("/documentation/categories", response_model=list[CategoryPublic])
def categories(_: Readers) -> list[CategoryPublic]:
    """The documentation categories and where each follows the child as transition
    documentation."""
    return [
        CategoryPublic(
            id=str(c),
            label=label,
            transition_in=[
                form
                for form, listed in (
                    ("förskola", TRANSITION_PRESCHOOL),
                    ("grundskola", TRANSITION_SCHOOL),
                    ("gymnasieskola", TRANSITION_SCHOOL),
                )
                if c in listed
            ],
            school_only=c in SCHOOL_ONLY,
        )
        for c, label in LABELS.items()
    ]


@router.post(
    "/students/{student_id}/documentation",
    status_code=status.HTTP_201_CREATED,
    response_model=Created,
)
def write_entry(
    student_id: UUID, body: EntryCreate, gallra: GallraDep, principal: Staff
) -> Created:
    """Write an entry at a unit through which the author is connected to the student."""
    author = _author(principal)
    if body.unit_id not in gallra.access.connected_units(author, student_id, today(gallra)):
        raise hidden("child", student_id)
    return Created(
        id=gallra.app.write_entry(
            student_id=student_id,
            unit_id=body.unit_id,
            author_id=author,
            category=body.category,
            school_form=body.school_form,
            written_on=body.written_on,
            title=body.title,
            content=body.content,
            entry_id=body.entry_id,
        )
    )


@router.get("/students/{student_id}/documentation", response_model=list[EntryPublic])
def list_entries(
    student_id: UUID,
    gallra: GallraDep,
    principal: Readers,
    category: Annotated[str | None, Query(description="only this category")] = None,
) -> list[EntryPublic]:
    """The entries of a student the caller may read, oldest first (current versions)."""
    reader = Reader(gallra, principal, student_id, today(gallra))
    if not reader.sees_anything:
        raise hidden("child", student_id)
    rows = gallra.access.entries_of(student_id)
    ids = [r.entry_id for r in rows if category is None or r.category == category]
    return [_entry(v) for v in gallra.app.get_entries(ids) if reader.may_read(v)]


@router.get("/documentation/{entry_id}", response_model=EntryPublic)
def get_entry(entry_id: UUID, gallra: GallraDep, principal: Readers) -> EntryPublic:
    """An entry's current version."""
    return _entry(_readable(gallra, principal, entry_id))


@router.get("/documentation/{entry_id}/history", response_model=EntryHistory)
def history(
    entry_id: UUID,
    gallra: GallraDep,
    _: Annotated[Principal, Depends(require(Role.AUDITOR))],
) -> EntryHistory:
    """Every version of an entry, for auditors; culled versions answer null."""
    view = gallra.app.get_entry(entry_id)
    public = _entry(view)
    return EntryHistory(
        **public.model_dump(exclude={"version"}),
        version=public.version,
        history=[_version(v) for v in view.versions],
    )


@router.put("/documentation/{entry_id}", response_model=Revised)
def revise(entry_id: UUID, body: EntryRevise, gallra: GallraDep, principal: Staff) -> Revised:
    """Edit an entry: a new version; the earlier text stays for auditors until culled."""
    _readable(gallra, principal, entry_id)
    version = gallra.app.revise_entry(
        entry_id,
        author_id=_author(principal),
        base_version=body.base_version,
        title=body.title,
        content=body.content,
    )
    return Revised(version=version)
