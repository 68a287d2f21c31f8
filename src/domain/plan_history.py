"""Which retention plan was in force from when: every plan version Gallra has run under.

A plan change applies from its version on. Each version is recorded once, with a digest of its
file, the first time Gallra starts with it; a file whose content differs from the one recorded
under the same version is refused, so the rules can never change under a version an auditor
has already seen in a gallring record. Nothing here is personal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import NAMESPACE_URL, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import ConflictError

HISTORY_ID = uuid5(NAMESPACE_URL, "https://gallra.example/retention-plan-history")


@dataclass(frozen=True, slots=True)
class Adoption:
    version: str
    sha256: str
    adopted_at: datetime


class PlanHistory(Aggregate):
    class Opened(Aggregate.Created):
        """The history's first event; nothing in it."""

    class Adopted(Aggregate.Event):
        version: str
        sha256: str
        adopted_at: datetime

    @event(Opened)
    def __init__(self) -> None:
        self.adoptions: list[Adoption] = []

    @classmethod
    def open(cls) -> PlanHistory:
        return cls._create(cls.Opened, id=HISTORY_ID)

    @property
    def current(self) -> Adoption | None:
        return self.adoptions[-1] if self.adoptions else None

    def adopt(self, version: str, sha256: str, at: datetime) -> bool:
        """Record a plan version the first time it is used; the same again does nothing, the
        same version with other content is refused. Returns whether it was new."""
        for adoption in self.adoptions:
            if adoption.version == version:
                if adoption.sha256 != sha256:
                    raise ConflictError(
                        f"retention plan {version} differs from the plan adopted under that "
                        f"version on {adoption.adopted_at:%Y-%m-%d}; give the change a new version"
                    )
                return False
        self._adopted(version=version, sha256=sha256, adopted_at=at)
        return True

    @event(Adopted)
    def _adopted(self, version: str, sha256: str, adopted_at: datetime) -> None:
        self.adoptions.append(Adoption(version, sha256, adopted_at))
