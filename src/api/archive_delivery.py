"""Delivering preserved documentation to the city archive, and recording its receipt (issue 5).

``build`` gathers every preserved scope that is due and not yet delivered (the dry run's
"to be delivered" rows), writes their records as an E-ARK SIP package where the operator says,
checks the package, and records the delivery with the key ids it holds. The package is the one
place Gallra writes personal data in plaintext, because it is the delivery itself: it is for the
archive's transfer area, not for keeping. Only after ``record_receipt`` may a gallring run
destroy the scopes it holds.
"""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.utils import get_topic

from api.application import GallraApplication
from api.documentation_commands import EntryView
from domain.archive_delivery import ArchiveDelivery
from domain.errors import NotFoundError, RuleViolationError
from domain.people import Child
from domain.personal import Shredded
from projections.access import AccessControl
from retention.archive.sip import Creator, PackageFile, problems, sha256, write_package
from retention.keys.scope import Scope
from retention.log_scan import notifications
from retention.survey import AWAITING_ARCHIVE, ArchiveState, Survey

ORGANISATION = "Luleå kommun, Barn- och utbildningsförvaltningen"
SOFTWARE = "Gallra"


class PackageInvalid(RuleViolationError):
    """The package failed its own check; nothing was recorded and its directory was removed."""


@dataclass(frozen=True)
class BuiltPackage:
    package_id: UUID
    path: Path
    subjects: int
    records: int
    files: int
    scopes: int


@dataclass(frozen=True)
class Archived:
    """One delivery that holds some of a person's records: what of theirs went, and where."""

    package_id: UUID
    scopes: list[tuple[str, str]]  # (category, period) of the person's records in it
    built_on: date
    received_on: date | None
    reference: str | None  # the archive's receipt number, once received


class ArchiveDeliveries:
    def __init__(
        self, app: GallraApplication, access: AccessControl, clock: Callable[[], datetime]
    ) -> None:
        self.app = app
        self.access = access
        self.clock = clock

    # -- reading ---------------------------------------------------------------------------

    def deliveries(self) -> list[ArchiveDelivery]:
        """Every delivery ever built, oldest first."""
        built = notifications(self.app.recorder, [get_topic(ArchiveDelivery.Built)])
        return [self._load(UUID(str(n.originator_id))) for n in built]

    def state(self) -> ArchiveState:
        """What the archive holds (receipt recorded) and what waits for its receipt."""
        received: set[UUID] = set()
        pending: set[UUID] = set()
        for delivery in self.deliveries():
            (received if delivery.received else pending).update(delivery.key_ids)
        return ArchiveState(frozenset(received), frozenset(pending))

    def of_subject(self, subject: UUID) -> list[Archived]:
        """The deliveries holding records of the person's that Gallra still holds, matched
        by the key ids of their scopes (a delivery names no person). Once a scope is culled
        its key id is gone from the store: ``api.subject_culled`` tells of those."""
        theirs = {
            r.key_id: (r.scope.category, r.scope.epoch)
            for r in self.app.keystore.scopes(subject=subject)
            if r.key_id is not None
        }
        found: list[Archived] = []
        for delivery in self.deliveries():
            scopes = sorted(theirs[k] for k in delivery.key_ids if k in theirs)
            if scopes:
                found.append(
                    Archived(
                        delivery.id,
                        scopes,
                        delivery.built_on,
                        delivery.received_on,
                        delivery.reference,
                    )
                )
        return found

    def _load(self, package_id: UUID) -> ArchiveDelivery:
        try:
            found: object = self.app.repository.get(package_id)
        except Exception:
            found = None
        if not isinstance(found, ArchiveDelivery):
            raise NotFoundError(f"no archive delivery with id {package_id}", field="package_id")
        return found

    # -- building --------------------------------------------------------------------------

    def build(self, survey: Survey, out_dir: Path, by: str) -> BuiltPackage | None:
        """One package of everything due for the archive and not yet delivered; None if there
        is nothing. Checked before it is recorded: a package that fails is removed."""
        waiting = [h for h in survey.held_back if h.reason == AWAITING_ARCHIVE]
        key_ids = {k for h in waiting for k in h.key_ids}
        if not key_ids:
            return None
        scopes = self._scopes({h.category for h in waiting}, key_ids)
        by_subject: dict[UUID, set[tuple[str, str]]] = defaultdict(set)
        for scope in scopes:
            by_subject[scope.subject].add((scope.category, scope.epoch))
        files: list[PackageFile] = []
        records = 0
        for subject, wanted in sorted(by_subject.items()):
            entries = self._entries(subject, wanted)
            records += len(entries)
            files += _subject_files(self.app, subject, entries)
        package_id = uuid4()
        now = self.clock()
        label = f"Bevarad elevdokumentation, leverans {now.date().isoformat()}"
        creator = Creator(ORGANISATION, SOFTWARE)
        path = out_dir / str(package_id)
        try:  # a package is either written, checked and recorded, or not left behind at all
            write_package(out_dir, str(package_id), label, creator, files, now)
            found = problems(path)
            if found:
                raise PackageInvalid(f"the package failed its check: {found[0]}", field="package")
            self.app.save(
                ArchiveDelivery.built(
                    package_id,
                    rule_ids=sorted({h.rule_id for h in waiting}),
                    categories=sorted({h.category for h in waiting}),
                    key_ids=sorted(key_ids, key=str),
                    subjects=len(by_subject),
                    records=records,
                    files=len(files),
                    mets_sha256=sha256((path / "METS.xml").read_bytes()),
                    built_on=now.date(),
                    built_by=by,
                )
            )
        except BaseException:
            shutil.rmtree(path, ignore_errors=True)
            raise
        return BuiltPackage(package_id, path, len(by_subject), records, len(files), len(key_ids))

    def record_receipt(self, package_id: UUID, reference: str, by: str) -> bool:
        """The archive confirmed receipt: from now on a run may shred what the package holds."""
        delivery = self._load(package_id)
        today = self.app.local_day(self.clock())
        received = delivery.record_receipt(reference, today, by)
        if received:
            self.app.save(delivery)
        return received

    def _scopes(self, categories: set[str], key_ids: set[UUID]) -> list[Scope]:
        return [
            r.scope
            for category in sorted(categories)
            for r in self.app.keystore.scopes(category=category)
            if r.key_id in key_ids
        ]

    def _entries(self, subject: UUID, wanted: set[tuple[str, str]]) -> list[EntryView]:
        rows = [
            row
            for row in self.access.entries_of(subject)
            if (row.category, f"{row.written_on:%Y-%m}") in wanted
        ]
        return self.app.get_entries([row.entry_id for row in rows])


def _subject_files(
    app: GallraApplication, subject: UUID, entries: list[EntryView]
) -> list[PackageFile]:
    """The subject's identity, and each entry as JSON and as text, under the subject's id."""
    child: object = app.repository.get(subject)  # the archive needs whose records these are
    assert isinstance(child, Child)
    identity = {
        "subject_id": str(subject),
        "given_name": _plain(child.given_name),
        "family_name": _plain(child.family_name),
        "civic_number": _plain(child.civic_number),
    }
    files = [_json(f"{subject}/person.json", identity)]
    for entry in entries:
        record = {
            "entry_id": str(entry.id),
            "category": entry.category,
            "school_form": entry.school_form,
            "unit_id": _plain(entry.unit_id),
            "written_on": _plain(entry.written_on),
            "versions": [
                {
                    "number": v.number,
                    "author_id": _plain(v.author_id),
                    "recorded_at": v.recorded_at.isoformat(),
                    "title": _plain(v.title),
                    "content": _plain(v.content),
                }
                for v in entry.versions
            ],
        }
        files.append(_json(f"{subject}/{entry.id}.json", record))
        files.append(
            PackageFile(f"{subject}/{entry.id}.txt", _text(identity, record), "text/plain")
        )
    return files


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, Shredded):
        return None
    if isinstance(value, UUID | date):
        return str(value)
    return value


def _json(path: str, value: dict[str, Any]) -> PackageFile:
    data = json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
    return PackageFile(path, data, "application/json")


def _text(identity: dict[str, Any], record: dict[str, Any]) -> bytes:
    name = f"{identity['given_name'] or '?'} {identity['family_name'] or '?'}"
    lines = [
        f"Elev: {name} ({identity['civic_number'] or 'personnummer saknas'})",
        f"Kategori: {record['category']}  Skolform: {record['school_form']}",
        f"Skriven: {record['written_on'] or 'okänt'}",
        "",
    ]
    for v in record["versions"]:
        heading = f"Version {v['number']}, {v['recorded_at']}: {v['title'] or ''}"
        lines += [heading, "", v["content"] or "", ""]
    return "\n".join(lines).encode("utf-8")
