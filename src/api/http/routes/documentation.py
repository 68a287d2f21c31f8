"""HTTP routes: documentation."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["documentation"])
