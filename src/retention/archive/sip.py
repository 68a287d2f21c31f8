"""Writing and checking a submission package in the E-ARK CSIP/SIP layout (FGS Paketstruktur 2.0
adopts it): a root ``METS.xml`` naming the package, its type and creator agents, descriptive
metadata, and a file section listing every file with its size and SHA-256 checksum.

Layout::

    <package id>/
      METS.xml
      metadata/descriptive/dc.xml          what the package holds (Dublin Core)
      representations/rep1/data/<subject>/<record>.json   the records, machine-readable
      representations/rep1/data/<subject>/<record>.txt    the same, readable by a person

A package is checked (``problems``) before it is offered: the METS must be well formed and carry
the CSIP header, every file in the package must be listed, and every listed file must exist
with the size and checksum the METS gives. Nothing here knows what a record is: it writes the
files it is given.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET  # writing only: reading goes through defusedxml
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import parse as safe_parse

METS = "http://www.loc.gov/METS/"
XLINK = "http://www.w3.org/1999/xlink"
CSIP = "https://DILCIS.eu/XML/METS/CSIPExtensionMETS"
SIP = "https://DILCIS.eu/XML/METS/SIPExtensionMETS"
DC = "http://purl.org/dc/elements/1.1/"
PROFILE = "https://earksip.dilcis.eu/profile/E-ARK-SIP.xml"
DATA = "representations/rep1/data"
for prefix, uri in (("mets", METS), ("xlink", XLINK), ("csip", CSIP), ("sip", SIP), ("dc", DC)):
    ET.register_namespace(prefix, uri)


@dataclass(frozen=True)
class PackageFile:
    """One file of the package: its path under ``representations/rep1/data`` and its bytes."""

    path: str
    content: bytes
    mimetype: str


@dataclass(frozen=True)
class Creator:
    organisation: str  # the municipality's board that hands the records over
    software: str  # Gallra and its version


def _q(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest().upper()


def write_package(
    root: Path,
    package_id: str,
    label: str,
    creator: Creator,
    files: Sequence[PackageFile],
    created: datetime,
) -> Path:
    """Write the package under ``root``; returns its directory. The directory must be new."""
    base = root / package_id
    base.mkdir(parents=True, exist_ok=False)
    dc = _dublin_core(package_id, label, creator, created)
    _write(base / "metadata/descriptive/dc.xml", dc)
    for f in files:
        _write(base / DATA / f.path, f.content)
    mets = _mets(package_id, label, creator, created, dc, files)
    _write(base / "METS.xml", mets)
    return base


def _write(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


def _dublin_core(package_id: str, label: str, creator: Creator, created: datetime) -> bytes:
    record = ET.Element("metadata")
    for name, value in (
        ("identifier", package_id),
        ("title", label),
        ("creator", creator.organisation),
        ("date", created.date().isoformat()),
        ("type", "Elevdokumentation som ska bevaras"),
        ("language", "sv"),
    ):
        ET.SubElement(record, _q(DC, name)).text = value
    return bytes(ET.tostring(record, encoding="utf-8", xml_declaration=True))


def _mets(
    package_id: str,
    label: str,
    creator: Creator,
    created: datetime,
    dc: bytes,
    files: Sequence[PackageFile],
) -> bytes:
    stamp = created.isoformat(timespec="seconds")
    mets = ET.Element(
        _q(METS, "mets"),
        {
            "OBJID": package_id,
            "LABEL": label,
            "TYPE": "OTHER",
            _q(CSIP, "OTHERTYPE"): "Elevdokumentation",
            _q(CSIP, "CONTENTINFORMATIONTYPE"): "MIXED",
            "PROFILE": PROFILE,
        },
    )
    header = ET.SubElement(
        mets,
        _q(METS, "metsHdr"),
        {"CREATEDATE": stamp, "RECORDSTATUS": "NEW", _q(CSIP, "OAISPACKAGETYPE"): "SIP"},
    )
    organisation = ET.SubElement(
        header, _q(METS, "agent"), {"ROLE": "CREATOR", "TYPE": "ORGANIZATION"}
    )
    ET.SubElement(organisation, _q(METS, "name")).text = creator.organisation
    software = ET.SubElement(
        header,
        _q(METS, "agent"),
        {"ROLE": "CREATOR", "TYPE": "OTHER", "OTHERTYPE": "SOFTWARE"},
    )
    ET.SubElement(software, _q(METS, "name")).text = creator.software
    dmd = ET.SubElement(mets, _q(METS, "dmdSec"), {"ID": "dmd-dc", "CREATED": stamp})
    _ref(dmd, "mdRef", "metadata/descriptive/dc.xml", dc, "text/xml", {"MDTYPE": "DC"})
    file_sec = ET.SubElement(mets, _q(METS, "fileSec"), {"ID": "filesec"})
    group = ET.SubElement(file_sec, _q(METS, "fileGrp"), {"USE": "Representations/rep1/Data"})
    struct = ET.SubElement(mets, _q(METS, "structMap"), {"TYPE": "PHYSICAL", "LABEL": "CSIP"})
    top = ET.SubElement(struct, _q(METS, "div"), {"LABEL": package_id})
    ET.SubElement(top, _q(METS, "div"), {"LABEL": "Metadata", "DMDID": "dmd-dc"})
    data = ET.SubElement(top, _q(METS, "div"), {"LABEL": "Representations/rep1"})
    for n, f in enumerate(files, start=1):
        file_id = f"file-{n:06d}"
        entry = ET.SubElement(
            group,
            _q(METS, "file"),
            {
                "ID": file_id,
                "MIMETYPE": f.mimetype,
                "SIZE": str(len(f.content)),
                "CREATED": stamp,
                "CHECKSUM": sha256(f.content),
                "CHECKSUMTYPE": "SHA-256",
            },
        )
        ET.SubElement(
            entry,
            _q(METS, "FLocat"),
            {"LOCTYPE": "URL", _q(XLINK, "type"): "simple", _q(XLINK, "href"): f"{DATA}/{f.path}"},
        )
        ET.SubElement(data, _q(METS, "fptr"), {"FILEID": file_id})
    ET.indent(mets)
    return bytes(ET.tostring(mets, encoding="utf-8", xml_declaration=True))


def _ref(
    parent: ET.Element, tag: str, href: str, content: bytes, mimetype: str, extra: dict[str, str]
) -> None:
    ET.SubElement(
        parent,
        _q(METS, tag),
        {
            "LOCTYPE": "URL",
            _q(XLINK, "type"): "simple",
            _q(XLINK, "href"): href,
            "MIMETYPE": mimetype,
            "SIZE": str(len(content)),
            "CHECKSUM": sha256(content),
            "CHECKSUMTYPE": "SHA-256",
            **extra,
        },
    )


def problems(base: Path) -> list[str]:
    """Everything wrong with the package at ``base``; an empty list means it may be offered."""
    try:
        mets = safe_parse(base / "METS.xml").getroot()
    except (OSError, ET.ParseError, DefusedXmlException) as e:
        return [f"METS.xml cannot be read as XML: {type(e).__name__}"]
    if mets is None:
        return ["METS.xml has no root element"]
    found: list[str] = []
    if mets.tag != _q(METS, "mets") or not mets.get("OBJID"):
        found.append("METS.xml has no mets root element with an OBJID")
    header = mets.find(_q(METS, "metsHdr"))
    if header is None or header.get(_q(CSIP, "OAISPACKAGETYPE")) != "SIP":
        found.append("METS.xml has no metsHdr saying the package is a SIP")
    elif not any(a.get("ROLE") == "CREATOR" for a in header.findall(_q(METS, "agent"))):
        found.append("METS.xml names no creator agent")
    listed: dict[str, tuple[str | None, str | None]] = {}
    for element in mets.iter():
        href = _href(element)
        if href is not None:
            listed[href] = (element.get("SIZE"), element.get("CHECKSUM"))
        elif element.tag == _q(METS, "file"):
            locat = element.find(_q(METS, "FLocat"))
            href = locat.get(_q(XLINK, "href")) if locat is not None else None
            if href is None:
                found.append(f"file {element.get('ID')} in METS.xml has no location")
                continue
            listed[href] = (element.get("SIZE"), element.get("CHECKSUM"))
    on_disk = {p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_file()} - {
        "METS.xml"
    }
    for path in sorted(on_disk - set(listed)):
        found.append(f"{path} is in the package but not listed in METS.xml")
    for path, (size, checksum) in sorted(listed.items()):
        if path not in on_disk:
            found.append(f"{path} is listed in METS.xml but missing")
            continue
        content = (base / path).read_bytes()
        if size is not None and size != str(len(content)):
            found.append(f"{path} has {len(content)} bytes, METS.xml says {size}")
        if checksum is None or checksum.upper() != sha256(content):
            found.append(f"{path} does not match its SHA-256 checksum in METS.xml")
    return found


def _href(element: ET.Element) -> str | None:
    """The package path an mdRef or FLocat points at (FLocats are read through their file)."""
    if element.tag != _q(METS, "mdRef"):
        return None
    return element.get(_q(XLINK, "href"))
