#!/usr/bin/env python3
"""One entry point for a fresh clone: make the virtual environment, then serve or test.

Only the standard library is used here, so that `python3 dev.py ...` works with nothing but
Python 3.11+ installed. The environment is rebuilt when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".gallra-installed"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def _ensure_env() -> None:
    if sys.version_info < (3, 11):
        sys.exit("gallra needs Python 3.11 or newer")
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == digest:
        return
    if not (BIN / "python").exists():
        print("creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("installing gallra and its test tools into .venv ...", flush=True)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "--editable", f"{ROOT}[test]"], check=True)
    STAMP.write_text(digest)


def main(argv: list[str]) -> int:
    commands = {
        "serve": [str(BIN / "gallra"), "serve", "--demo"],
        "test": [str(BIN / "python"), "-m", "pytest"],
        "lint": [str(BIN / "python"), "-m", "ruff", "check", "src", "tests", "bench"],
        "typecheck": [str(BIN / "python"), "-m", "mypy"],
        "bench": [str(BIN / "python"), "-m", "bench"],
    }
    if not argv or argv[0] not in commands:
        print(f"usage: python3 dev.py {{{'|'.join(commands)}}} [args...]", file=sys.stderr)
        return 2
    _ensure_env()
    cmd = [*commands[argv[0]], *argv[1:]]
    return subprocess.run(cmd, cwd=ROOT, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
