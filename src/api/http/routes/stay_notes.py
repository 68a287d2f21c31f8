"""HTTP routes: stay-notes (issue 4)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["stay-notes"])
