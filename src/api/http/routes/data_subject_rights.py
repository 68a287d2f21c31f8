"""Data subjects' rights, carried out by an official: the register extract (art. 15), the
rectification of a wrongly recorded name (art. 16), erasure requests (art. 17) and the
restriction of processing (art. 18). Administrators only; the extract is on the access log
like any read of the person's data."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import Field

from api import access_log
from api.bootstrap import today
from api.erasure import answer_erasure
from api.http.deps import Admin, GallraDep
from api.http.schemas import Model
from api.subject_access import as_json, as_markdown
from domain.person import MAX_NAME, MAX_REASON, RestrictionGrounds

router = APIRouter(prefix="/people/{person_id}", tags=["data-subject-rights"])


class IdentityCorrection(Model):
    given_name: Annotated[str, Field(min_length=1, max_length=MAX_NAME)]
    family_name: Annotated[str, Field(min_length=1, max_length=MAX_NAME)]
    reason: Annotated[str, Field(min_length=1, max_length=MAX_REASON)]


class CorrectionResult(Model):
    corrected: bool  # false: the name already read so (a retried request)


@router.post("/identity-corrections", response_model=CorrectionResult)
def correct_identity(
    person_id: UUID, body: IdentityCorrection, gallra: GallraDep, _: Admin
) -> CorrectionResult:
    """Put a wrongly recorded name right, with the reason. The correction is a new event: the
    history keeps what was recorded, and the register extract shows both and why."""
    corrected = gallra.app.correct_identity(
        person_id, body.given_name, body.family_name, body.reason
    )
    return CorrectionResult(corrected=corrected)


class Restriction(Model):
    grounds: RestrictionGrounds
    note: Annotated[str, Field(min_length=1, max_length=MAX_REASON)]


class Lifting(Model):
    note: Annotated[str, Field(min_length=1, max_length=MAX_REASON)]


class RestrictionResult(Model):
    restricted: bool
    changed: bool  # false: it already was so (a retried request)


@router.put("/restriction", response_model=RestrictionResult)
def restrict(person_id: UUID, body: Restriction, gallra: GallraDep, _: Admin) -> RestrictionResult:
    """Restrict processing of the person's data to storage and what the law allows. Staff
    no longer see the person (their records answer as unknown); the person, their guardians,
    administrators and auditors still do, and kiosks still check a child in and out, for its
    safety. Gallring goes on: a restriction does not extend retention, a legal hold does."""
    changed = gallra.app.restrict_processing(person_id, body.grounds, body.note)
    return RestrictionResult(restricted=True, changed=changed)


@router.post("/restriction/lift", response_model=RestrictionResult)
def lift(person_id: UUID, body: Lifting, gallra: GallraDep, _: Admin) -> RestrictionResult:
    """Lift the restriction; the person is processed as before."""
    changed = gallra.app.lift_restriction(person_id, body.note)
    return RestrictionResult(restricted=False, changed=changed)


class ErasureRequest(Model):
    note: Annotated[str, Field(min_length=1, max_length=MAX_REASON)]
    execute: bool = True  # false: only say what a request would do


class ErasureItemPublic(Model):
    category: str
    epoch: str
    rule_id: str
    culled: str
    culled_on: date | None
    kept_because: str | None


class ErasedPublic(Model):
    gallring_run_id: UUID
    rule_id: str
    category: str
    keys_destroyed: int


class ErasureAnswerPublic(Model):
    subject_id: UUID
    as_of: date
    erased: list[ErasedPublic]
    remaining: list[ErasureItemPublic]


@router.post("/erasure-requests", response_model=ErasureAnswerPublic)
def request_erasure(
    person_id: UUID, body: ErasureRequest, gallra: GallraDep, principal: Admin
) -> ErasureAnswerPublic:
    """Answer an erasure request: cull at once what the plan allows on request (optional
    data, such as a profile), each cull a gallring run on record, and say for everything
    else when it is culled, under which rule, and why the law keeps it until then. A legal
    hold keeps everything. Asked again, nothing more is culled."""
    gallra.app.get_person_details(person_id)  # an unknown id is a 404
    by = f"{principal.name or principal.role}: erasure request ({body.note})"
    answer = answer_erasure(gallra.gallring, person_id, today(gallra), by=by, execute=body.execute)
    access_log.note_subjects(person_id)
    return ErasureAnswerPublic(
        subject_id=answer.subject_id,
        as_of=answer.as_of,
        erased=[
            ErasedPublic(
                gallring_run_id=r.run_id,
                rule_id=r.rule_id,
                category=r.category,
                keys_destroyed=r.keys_destroyed,
            )
            for r in answer.erased
        ],
        remaining=[
            ErasureItemPublic(
                category=i.category,
                epoch=i.epoch,
                rule_id=i.rule_id,
                culled=i.culled,
                culled_on=i.culled_on,
                kept_because=i.kept_because,
            )
            for i in answer.items
        ],
    )


@router.get(
    "/subject-access",
    response_model=None,
    responses={200: {"content": {"application/json": {}, "text/markdown": {}}}},
)
def subject_access(
    person_id: UUID,
    gallra: GallraDep,
    principal: Admin,
    format: Annotated[Literal["json", "markdown"], Query()] = "json",
) -> JSONResponse | PlainTextResponse:
    """Everything Gallra holds about the person (registerutdrag): their records as they are
    now, every change and correction, each event that names them (other people's data left
    out), and who has read or changed their data. ``format=markdown`` gives a document to
    hand over."""
    gallra.app.get_person_details(person_id)  # an unknown id is a 404, not an empty extract
    extract = gallra.subject_access.extract(person_id, by=principal.name or str(principal.role))
    access_log.note_subjects(person_id)
    if format == "markdown":
        return PlainTextResponse(as_markdown(extract), media_type="text/markdown")
    return JSONResponse(as_json(extract))
