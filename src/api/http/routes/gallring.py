"""Gallring records: what was culled, when, by which rule and plan version."""

from __future__ import annotations

from fastapi import APIRouter

from api.http.deps import Auditor, GallraDep
from api.http.schemas import GallringRunPublic

router = APIRouter(prefix="/gallring", tags=["gallring"])


@router.get("/runs", response_model=list[GallringRunPublic])
def runs(gallra: GallraDep, _: Auditor) -> list[GallringRunPublic]:
    """Every gallring run on record, oldest first. Records are kept for ever."""
    return [
        GallringRunPublic(
            id=run.id,
            rule_id=run.rule_id,
            plan_version=run.plan_version,
            category=run.category,
            as_of=run.as_of,
            months=list(run.epochs),
            scopes=len(run.key_ids),
            subjects=run.subjects,
            decided_by=run.decided_by,
            decided_at=run.created_on,
            keys_destroyed=run.keys_destroyed,
            finished_at=run.finished_at,
        )
        for run in gallra.gallring.records()
    ]
