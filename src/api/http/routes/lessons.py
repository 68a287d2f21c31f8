"""HTTP routes: lessons and per-lesson attendance."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["lessons"])
