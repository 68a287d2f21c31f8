"""Every event class says which of its fields are personal; the domain stays pure."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import pkgutil
import re
import sys
from pathlib import Path

import pytest
from eventsourcing.domain import DomainEvent

import domain
from domain.personal import personal_fields
from retention.sealing.actor import RECORDED_BY

PERSONAL_LOOKING = re.compile(
    r"(name|civic|personnummer|phone|mobile|e_?mail|address|note|reason|comment|text|photo|"
    r"picture|diet|child_id|guardian_id|student|author|marking|setting|profile|title|person|birth|"
    r"^at$|^by$|reported_by|content)",
    re.IGNORECASE,
)
# Fields whose names look personal but hold none, each with the reason.
NOT_PERSONAL = {
    ("Unit.Created", "name"): "the name of a preschool or school, public information",
    ("Unit.DepartmentAdded", "name"): "the name of a department (Björnen), not of a person",
    ("Group.Created", "name"): "the name of a class or group (7A), not of a person",
    ("Notice.Abandoned", "reason"): "a fixed code ('culled'), never free text",
    # kiosk sync and the department day (issue 4)
    # stay schedules (issue 4)
    # pick-up persons and kiosk devices (issue 4)
    ("ChildPickups.PersonAdded", "person_id"): "a random client-chosen id, a scope subject",
    ("ChildPickups.PersonChanged", "person_id"): "a random client-chosen id, a scope subject",
    ("ChildPickups.PersonRemoved", "person_id"): "a random client-chosen id, a scope subject",
    # staff shifts, diet, notes on a stay (issue 4)
    ("StayNotebook.NoteWritten", "note_id"): "a random id the client chose, not a note's text",
    ("StayNotebook.NoteRevised", "note_id"): "a random id the client chose, not a note's text",
    ("StayNotebook.NoteDeleted", "note_id"): "a random id the client chose, not a note's text",
}


def domain_event_classes() -> list[type]:
    for module in pkgutil.iter_modules(domain.__path__):
        importlib.import_module(f"domain.{module.name}")
    found: list[type] = []
    for name, module in sorted(sys.modules.items()):
        if not name.startswith("domain.") or module is None:
            continue
        for obj in vars(module).values():
            if isinstance(obj, type) and obj.__module__ == name:
                for inner in vars(obj).values():
                    if isinstance(inner, type) and issubclass(inner, DomainEvent):
                        found.append(inner)
    return found


EVENTS = domain_event_classes()


def test_the_domain_has_events_to_check() -> None:
    assert len(EVENTS) >= 10


@pytest.mark.parametrize("cls", EVENTS, ids=lambda c: c.__qualname__)
def test_personal_looking_fields_are_declared(cls: type) -> None:
    declared = {f.name for f in personal_fields(cls)}
    fields = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    undeclared = sorted(
        name
        for name in fields - declared
        if PERSONAL_LOOKING.search(name) and (cls.__qualname__, name) not in NOT_PERSONAL
    )
    assert not undeclared, f"{cls.__qualname__} leaves personal-looking fields open: {undeclared}"


@pytest.mark.parametrize("cls", EVENTS, ids=lambda c: c.__qualname__)
def test_declared_subjects_exist_on_the_event(cls: type) -> None:
    fields = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    for field in personal_fields(cls):
        assert field.declaration.subject in fields, (cls.__qualname__, field.name)


def test_no_event_field_can_be_taken_for_the_actor() -> None:
    """The mapper keeps who wrote an event under ``RECORDED_BY`` (a name no field may have),
    so no event's own field is ever overwritten by it."""
    assert RECORDED_BY.startswith("_")
    clashing = [
        (cls.__qualname__, f.name)
        for cls in EVENTS
        for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        if f.name.startswith("_")
    ]
    assert not clashing


ALLOWED_IMPORTS = {"eventsourcing.domain", "pydantic", "personnummer"}


def test_the_domain_imports_only_the_standard_library_and_its_allowed_few() -> None:
    root = Path(domain.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top == "domain":
                    continue
                if not any(name == a or name.startswith(a + ".") for a in ALLOWED_IMPORTS):
                    offenders.append(f"{path.name}: {name}")
    assert not offenders


def test_nothing_imports_the_api_layer() -> None:
    src = Path(domain.__file__).parent.parent
    for package in ("domain", "retention", "projections"):
        for path in (src / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ImportFrom) and node.module:
                    assert not node.module.startswith("api"), path
                if isinstance(node, ast.Import):
                    assert not any(a.name.startswith("api") for a in node.names), path
