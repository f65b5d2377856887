"""Safe writes: a write killed midway leaves no temporary file, and a target outside its folder is
refused.
"""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

from tests.helpers.command_line import ROOT
from xlfuncs.xlsx import writes


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_write_killed_midway_leaves_no_temporary_file(tmp_path, signum):
    """writes.replacing (calc's write) with a writer that stalls; the signal arrives mid-write."""
    target = tmp_path / "book.xlsx"
    target.write_bytes(b"old")
    child = (
        "import sys, time; from pathlib import Path; from xlfuncs.xlsx import writes\n"
        f"with writes.replacing(Path({str(target)!r})) as out:\n"
        "    out.write(b'new, half'); print('writing', flush=True); time.sleep(60)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", child], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout.readline() == b"writing\n"
    assert len(list(tmp_path.iterdir())) == 2  # the temporary file exists now
    proc.send_signal(signum)
    proc.wait(30)
    assert proc.returncode != 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"] and target.read_bytes() == b"old"


def test_check_target_refuses_outside_the_folder(tmp_path):
    with pytest.raises(writes.WriteRefused, match="outside"):
        writes.check_target(tmp_path / "a" / ".." / ".." / "x.xlsx", tmp_path / "a")
