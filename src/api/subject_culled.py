"""What gallring has already culled of one person, for the register extract.

Culled records name no one, so a person's history cannot find them. The key store still
knows each culled scope of theirs (category, period, when and by which run) until the person
is forgotten, though no longer its key: enough to tell them what existed and what became of
it. For a preserved category the run culled only what the city archive had received, so the
answer names the deliveries whose keys that run culled: where the records are kept now.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.archive_delivery import ArchiveDelivery
from retention.gallring import Gallring


@dataclass(frozen=True, slots=True)
class CulledScope:
    category: str
    period: str  # the month ("2024-09"), or "-" for the person's whole life
    culled_at: datetime
    run_id: UUID | None  # the gallring run that culled it (None: another decision)
    rule_id: str | None
    archive_references: list[str]  # receipts of the deliveries whose keys that run culled


def culled_of(
    gallring: Gallring, deliveries: Callable[[], list[ArchiveDelivery]], subject: UUID
) -> list[CulledScope]:
    rows = [
        r
        for r in gallring.keystore.scopes(subject=subject, include_shredded=True)
        if r.shredded_at is not None
    ]
    if not rows:
        return []
    decisions = {r.decision_id for r in rows if r.decision_id is not None}
    runs = {run.id: run for run in map(gallring.record, decisions) if run is not None}
    received = [d for d in deliveries() if d.received]
    culled: list[CulledScope] = []
    for row in rows:
        assert row.shredded_at is not None
        run = runs.get(row.decision_id) if row.decision_id is not None else None
        references: list[str] = []
        if run is not None:
            destroyed = set(run.key_ids)
            references = sorted(
                str(d.reference)
                for d in received
                if row.scope.category in d.categories and destroyed.intersection(d.key_ids)
            )
        culled.append(
            CulledScope(
                row.scope.category,
                row.scope.epoch,
                row.shredded_at,
                None if run is None else run.id,
                None if run is None else run.rule_id,
                references,
            )
        )
    return sorted(culled, key=lambda c: (c.category, c.period))
