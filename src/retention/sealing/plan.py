"""Per event class, worked out once: which fields are sealed together, under which scope."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any
from uuid import UUID

from eventsourcing.domain import Snapshot
from eventsourcing.utils import get_topic

from domain.personal import (
    SELF,
    Category,
    CategoryOf,
    Epoch,
    Shredded,
    personal_fields,
    veil_of,
)
from retention.errors import SealingError
from retention.keys.scope import Scope

Interned = dict[tuple[int, str, str], Scope]  # (subject's int, category, epoch) -> its scope


@dataclass(frozen=True, slots=True)
class Group:
    """Fields sharing one subject field, category and epoch rule: one sealed part per event."""

    subject: str
    category: Category | CategoryOf
    epoch: Epoch
    fields: tuple[str, ...]
    subject_id: UUID | None = None  # a fixed subject (a veil's sheet) instead of a field's
    # The category's text when it is fixed (most groups): no lookup per event.
    _fixed: str | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        fixed = str(self.category) if isinstance(self.category, Category) else None
        object.__setattr__(self, "_fixed", fixed)

    def category_of(self, state: dict[str, Any]) -> str:
        category = self.category
        if isinstance(category, CategoryOf):
            return category.of(state)
        return self._fixed or str(category)

    def scope_of(self, plan: str, context: dict[str, Any], interned: Interned) -> Scope:
        """The scope sealing this group in an event whose fields (and stream id) are given;
        one object per scope in ``interned``, so sets and dicts of scopes match by identity."""
        subject = self.subject_id if self.subject_id is not None else context.get(self.subject)
        if not isinstance(subject, UUID):
            raise SealingError(f"{plan}: subject field {self.subject!r} must hold a UUID")
        try:
            category, epoch = self._fixed or self.category_of(context), self.epoch.of(context)
        except TypeError as e:
            raise SealingError(f"{plan}: {e}") from None
        key = (subject.int, category, epoch)
        scope = interned.get(key)
        if scope is None:
            scope = interned[key] = Scope(subject, category, epoch)
        return scope

    def take(self, plan: str, state: dict[str, Any]) -> dict[str, Any]:
        """Pop this group's fields out of ``state``; a culled value is never written again."""
        values = {}
        for name in self.fields:
            value = state.pop(name)
            if isinstance(value, Shredded):
                raise SealingError(f"{plan}.{name}: a culled value cannot be written again")
            values[name] = value
        return values


@dataclass(frozen=True, slots=True)
class SealPlan:
    name: str
    topic: str
    class_version: int
    groups: tuple[Group, ...]
    declared: tuple[tuple[str, Category | CategoryOf], ...]  # every personal field
    needs_originator: bool  # a subject or epoch names the stream itself
    veil: Group | None = None  # seals the key ids of the other parts (ADR 0022)
    # False for a person's own stream: no record time stays readable (ADR 0023)
    keeps_time: bool = True

    def veil_scope(
        self, state: dict[str, Any], originator_id: UUID, interned: Interned
    ) -> tuple[Scope, dict[str, Any]] | None:
        """The scope of the veil over this event's parts and the fields it seals itself
        (popped out of ``state``), or None if it has no veil."""
        if self.veil is None:
            return None
        context = {**state, "originator_id": originator_id} if self.needs_originator else state
        scope = self.veil.scope_of(self.name, context, interned)
        return scope, self.veil.take(self.name, state)

    def split(
        self, state: dict[str, Any], originator_id: UUID, interned: Interned | None = None
    ) -> list[tuple[Scope, dict[str, Any]]]:
        """Pop the personal fields out of ``state``, grouped by the scope that seals them;
        ``interned`` shares scope objects across a batch of events."""
        interned = {} if interned is None else interned
        context = {**state, "originator_id": originator_id} if self.needs_originator else state
        name, groups = self.name, self.groups
        if len(groups) == 1:  # most events: one scope, nothing to merge (the write path)
            scope = groups[0].scope_of(name, context, interned)
            return [(scope, groups[0].take(name, state))]
        # Every scope first: a subject field may itself be sealed by another group.
        scopes = [group.scope_of(name, context, interned) for group in groups]
        parts: dict[Scope, dict[str, Any]] = {}
        for scope, group in zip(scopes, groups, strict=True):
            parts.setdefault(scope, {}).update(group.take(name, state))
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
    for personal in personal_fields(cls):  # type: ignore[arg-type]  # classes are hashable
        decl = personal.declaration
        grouped.setdefault((decl.subject, decl.category, decl.epoch), []).append(personal.name)
        declared.append((personal.name, decl.category))
    veil = veil_of(cls)
    if veil is not None and not grouped:
        raise SealingError(f"{cls.__qualname__}: a veil needs sealed parts to hide")
    if veil is not None:
        declared += [(name, veil.category) for name in veil.fields]
    return SealPlan(
        name=cls.__qualname__,
        topic=get_topic(cls),
        class_version=getattr(cls, "class_version", 1),
        groups=tuple(Group(s, c, e, tuple(f)) for (s, c, e), f in grouped.items()),
        declared=tuple(declared),
        needs_originator=any(
            s == SELF or getattr(e, "field", None) == SELF for (s, _, e) in grouped
        )
        or (veil is not None and getattr(veil.epoch, "field", None) == SELF),
        veil=None
        if veil is None
        else Group("", veil.category, veil.epoch, veil.fields, subject_id=veil.subject),
        keeps_time=getattr(cls, "keeps_record_time", True) is not False,
    )
