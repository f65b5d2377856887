"""scripts/render.py: the README pictures, computed live by LibreOffice with the xlfuncs add-in."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from xlfuncs.calc.libreoffice import engine as libreoffice

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    not libreoffice.engine_available() or shutil.which("pdftoppm") is None,
    reason="needs LibreOffice with the add-in's needs and poppler-utils (scripts/test.sh installs both)",
)


def test_pictures_show_no_error_value(tmp_path):
    """The script refuses a picture whose PDF text holds an error value or #####; every one is drawn."""
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "render.py"), "-o", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:] + run.stdout[-3000:]
    pictures = sorted(p.name for p in tmp_path.glob("*.png"))
    assert pictures == sorted(p.name for p in (ROOT / "docs" / "img").glob("*.png"))
    for picture in tmp_path.glob("*.png"):
        assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and picture.stat().st_size > 50_000
