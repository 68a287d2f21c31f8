"""The auditor reads and verifies, and changes nothing: every route that writes refuses an
auditor's token with 403, whatever the body, and the log holds no new event but the access
log's own record of the refusals."""

from __future__ import annotations

import re
from datetime import date
from uuid import uuid4

from fastapi.testclient import TestClient

from api.bootstrap import Gallra
from api.http.app import create_http_app
from api.tokens import Principal, Role
from builders import enrolled_department
from raw_log import RawLog

_READS = frozenset({"GET", "HEAD", "OPTIONS"})


def test_every_route_that_writes_refuses_an_auditor(gallra: Gallra) -> None:
    unit, department, kids = enrolled_department(gallra.app, 1, "Förskolan Linden", "Humlan")
    child = kids[0]
    guardian = next(iter(gallra.app.get_child(child).guardians))
    real = {
        "child_id": child,
        "person_id": child,
        "student_id": child,
        "guardian_id": guardian,
        "unit_id": unit,
        "department_id": department,
        "day": date(2026, 3, 16),
    }
    token = gallra.tokens.issue(Principal(Role.AUDITOR, name="revisor"))
    auditor = {"Authorization": f"Bearer {token}"}
    http = create_http_app(gallra, background=False)
    writes = [  # from the published API: every path and method a client can call
        (method.upper(), path)
        for path, operations in http.openapi()["paths"].items()
        for method in operations
        if method.upper() not in _READS
    ]
    assert len(writes) > 50  # every route that writes, not a handful
    before = _written(gallra)
    with TestClient(http) as client:
        for method, template in writes:
            names = re.findall(r"{(\w+)}", template)
            path = template.format(**{name: str(real.get(name, uuid4())) for name in names})
            answer = client.request(method, path, json={}, headers=auditor)
            assert answer.status_code == 403, (method, template, answer.status_code)
    assert _written(gallra) == before


def _written(gallra: Gallra) -> list[str]:
    """Every stored event but the access log's."""
    return [r.topic for r in RawLog(gallra).rows() if not r.topic.endswith("AccessRecord.Recorded")]
