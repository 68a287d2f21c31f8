"""Deliveries to the city archive: auditors and administrators list them; administrators record
the archive's receipt, after which a gallring run may shred what a package holds. Packages are
built on the command line (``gallra archive build``), where the operator says where they go."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from api.http.deps import Admin, Auditor, GallraDep
from api.http.routes.gallring import who
from api.http.schemas import ArchiveDeliveryPublic, ArchiveReceipt
from domain.archive_delivery import ArchiveDelivery

router = APIRouter(prefix="/archive", tags=["gallring"])


def _public(d: ArchiveDelivery) -> ArchiveDeliveryPublic:
    return ArchiveDeliveryPublic(
        package_id=d.id,
        rule_ids=d.rule_ids,
        categories=d.categories,
        scopes=len(d.key_ids),
        subjects=d.subjects,
        records=d.records,
        files=d.files,
        mets_sha256=d.mets_sha256,
        built_on=d.built_on,
        built_by=d.built_by,
        reference=d.reference,
        received_on=d.received_on,
        recorded_by=d.recorded_by,
    )


@router.get("/deliveries", response_model=list[ArchiveDeliveryPublic])
def deliveries(gallra: GallraDep, _: Auditor) -> list[ArchiveDeliveryPublic]:
    """Every delivery ever built, oldest first, with its receipt once recorded."""
    return [_public(d) for d in gallra.archive.deliveries()]


@router.post("/deliveries/{package_id}/receipt", response_model=ArchiveDeliveryPublic)
def receipt(
    package_id: UUID, body: ArchiveReceipt, gallra: GallraDep, principal: Admin
) -> ArchiveDeliveryPublic:
    """Record the archive's receipt. The same receipt again changes nothing; another
    reference for a package already received is 409."""
    gallra.archive.record_receipt(package_id, body.reference, who(principal))
    return next(_public(d) for d in gallra.archive.deliveries() if d.id == package_id)
