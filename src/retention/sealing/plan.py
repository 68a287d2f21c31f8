"""Per event class, worked out once: which fields are sealed together, under which scope."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any
from uuid import UUID

from eventsourcing.domain import Snapshot
from eventsourcing.utils import get_topic

from domain.personal import SELF, Category, CategoryOf, Epoch, Shredded, personal_fields
from retention.errors import SealingError
from retention.keys.scope import Scope


@dataclass(frozen=True, slots=True)
class Group:
    """Fields sharing one subject field, category and epoch rule: one sealed part per event."""

    subject: str
    category: Category | CategoryOf
    epoch: Epoch
    fields: tuple[str, ...]

    def category_of(self, state: dict[str, Any]) -> str:
        category = self.category
        return str(category) if isinstance(category, Category) else category.of(state)


@dataclass(frozen=True, slots=True)
class SealPlan:
    name: str
    topic: str
    class_version: int
    groups: tuple[Group, ...]
    declared: tuple[tuple[str, Category | CategoryOf], ...]  # every personal field
    needs_originator: bool  # a subject or epoch names the stream itself

    def split(
        self, state: dict[str, Any], originator_id: UUID
    ) -> list[tuple[Scope, dict[str, Any]]]:
        """Pop the personal fields out of ``state``, grouped by the scope that seals them."""
        context = {**state, "originator_id": originator_id} if self.needs_originator else state
        scopes = []
        for group in self.groups:  # every scope first: a subject field may itself be sealed
            subject = context.get(group.subject)
            if not isinstance(subject, UUID):
                raise SealingError(f"{self.name}: subject field {group.subject!r} must hold a UUID")
            try:
                category = group.category_of(context)
            except TypeError as e:
                raise SealingError(f"{self.name}: {e}") from None
            scopes.append(Scope(subject, category, group.epoch.of(context)))
        parts: dict[Scope, dict[str, Any]] = {}
        for scope, group in zip(scopes, self.groups, strict=True):
            values = parts.setdefault(scope, {})
            for name in group.fields:
                value = state.pop(name)
                if isinstance(value, Shredded):
                    raise SealingError(
                        f"{self.name}.{name}: a culled value cannot be written again"
                    )
                values[name] = value
        return list(parts.items())

    def mark_culled(self, state: dict[str, Any]) -> None:
        """Fill every declared field a culled part left out with its ``Shredded`` marker."""
        for name, category in self.declared:
            if name not in state:
                if isinstance(category, CategoryOf):
                    value = state.get(category.field)
                    state[name] = Shredded(str(value) if isinstance(value, str) else "unknown")
                else:
                    state[name] = Shredded(str(category))


@cache
def seal_plan(cls: type) -> SealPlan:
    if issubclass(cls, Snapshot):
        raise SealingError(
            f"{cls.__qualname__}: snapshots are off for aggregates holding personal data"
        )
    grouped: dict[tuple[str, Category | CategoryOf, Epoch], list[str]] = {}
    declared = []
    for field in personal_fields(cls):  # type: ignore[arg-type]  # classes are hashable
        decl = field.declaration
        grouped.setdefault((decl.subject, decl.category, decl.epoch), []).append(field.name)
        declared.append((field.name, decl.category))
    return SealPlan(
        name=cls.__qualname__,
        topic=get_topic(cls),
        class_version=getattr(cls, "class_version", 1),
        groups=tuple(Group(s, c, e, tuple(f)) for (s, c, e), f in grouped.items()),
        declared=tuple(declared),
        needs_originator=any(
            s == SELF or getattr(e, "field", None) == SELF for (s, _, e) in grouped
        ),
    )
