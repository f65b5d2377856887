"""Without the extras, xlfuncs.sql imports, and registering says what to install."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

WITHOUT_EXTRAS = """
import builtins
real = builtins.__import__
def blocked(name, *args, **kwargs):
    if name.split(".")[0] in ("pyarrow", "duckdb", "pyspark"):
        raise ImportError(name)
    return real(name, *args, **kwargs)
builtins.__import__ = blocked
import xlfuncs.sql.duckdb, xlfuncs.sql.spark
for module, extra in ((xlfuncs.sql.duckdb, "duckdb"), (xlfuncs.sql.spark, "spark")):
    try:
        module.register(None)
    except ImportError as exc:
        assert f'pip install "xlfuncs[{extra}]"' in str(exc), exc
    else:
        raise AssertionError("registered without pyarrow")
print("ok")
"""


def test_registering_without_the_extras_names_them():
    proc = subprocess.run(
        [sys.executable, "-c", WITHOUT_EXTRAS], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr
