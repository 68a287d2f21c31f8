"""``GET /audit/verify``: auditors, and only they, verify the log over HTTP; a tampered row is
named, and the answer holds ids and numbers, never what an event says."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.bootstrap import Gallra
from api.http.app import create_http_app
from api.tokens import Principal, Role
from builders import enrolled_department
from raw_log import RawLog


def headers(gallra: Gallra, role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {gallra.tokens.issue(Principal(role, name='revisor'))}"}


def test_auditors_verify_the_log_and_see_the_first_failure(gallra: Gallra) -> None:
    enrolled_department(gallra.app, 3, "Förskolan Linden", "Humlan")
    made, _ = gallra.integrity.checkpoint()
    assert made is not None
    with TestClient(create_http_app(gallra, background=False)) as client:
        for role in (Role.ADMIN, Role.STAFF, Role.STATISTICIAN):
            assert client.get("/audit/verify", headers=headers(gallra, role)).status_code == 403
        assert client.get("/audit/verify").status_code == 401
        answer = client.get("/audit/verify", headers=headers(gallra, Role.AUDITOR))
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["ok"] and body["failure"] is None and body["checkpoints"] == 1
        assert body["signed_through"] == body["last_position"] == made.position
        assert body["events"] == made.events and body["unsigned"] == 0

        raw = RawLog(gallra)
        target = next(r for r in raw.rows() if r.topic.endswith("Registered"))
        state = bytearray(target.state)
        state[-40] ^= 0x01  # inside the sealed identity
        raw.set_state(target, bytes(state))
        answer = client.get("/audit/verify", headers=headers(gallra, Role.AUDITOR))
        body = answer.json()
        assert answer.status_code == 200 and not body["ok"]
        assert body["failure"]["finding"] == "altered"
        assert body["failure"]["notification_id"] == target.id
        assert body["failure"]["stream_id"] == str(target.stream)
        assert body["checkpoints"] == 0 and body["signed_through"] == 0
        assert "Nr" not in answer.text and "C" not in body["failure"]["detail"]
