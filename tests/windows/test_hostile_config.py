"""Fuzzed hostile config files: random lines of ``"KEY","value"`` entries, junk and non-ASCII
bytes, with random line ends (CRLF, LF, lone CR, none at the end) and a BOM or not: install
then uninstall gives the file back byte for byte, and winconfig reads INTERPRETER_WIN as
xlwings does.

Seeded random cases (tests/helpers/fuzz.py), so a failure names a case that can be rerun.
"""

from __future__ import annotations

import json
import random

from tests.helpers.fuzz import SCALE
from xlfuncs.windows import winconfig

CONFIGS = 400 * SCALE

KEY = "INTERPRETER_WIN"


def random_config(rng: random.Random) -> bytes:
    lines = []
    for _ in range(rng.randrange(8)):
        kind = rng.randrange(5)
        if kind == 0:
            lines.append(f'"{KEY}","C:\\old{rng.randrange(99)}\\pythonw.exe"'.encode())
        elif kind == 1:
            lines.append(
                f'"{rng.choice(["CONDA ENV", "PYTHONPATH", "Show Console"])}","v{rng.randrange(9)}"'.encode()
            )
        elif kind == 2:
            lines.append(bytes(rng.choice(b'abc \t,"=#\x81\x8d\xe9\xff') for _ in range(rng.randrange(30))))
        elif kind == 3:
            lines.append(b"")
        else:
            lines.append('"NOTE","Zoë ✓"'.encode())
    ends = [rng.choice([b"\r\n", b"\n", b"\r"]) for _ in lines]
    if ends and rng.random() < 0.3:
        ends[-1] = b""
    data = b"".join(line + end for line, end in zip(lines, ends, strict=True))
    return (winconfig.BOM if rng.random() < 0.2 else b"") + data


def test_random_config_files_restore_byte_for_byte(tmp_path, monkeypatch):
    import xlwings
    import xlwings.utils

    rng = random.Random(11)
    path = tmp_path / "xlfuncs.conf"
    monkeypatch.setattr(xlwings, "USER_CONFIG_FILE", str(path))
    for i in range(CONFIGS):
        original = random_config(rng)
        path.write_bytes(original)
        lines = winconfig.read(path)
        try:  # xlwings reads in the locale's encoding (UTF-8 here); bytes it cannot decode stop it,
            # and so does a line with a single quoted field (its reader raises IndexError)
            theirs = xlwings.utils.read_user_config().get(KEY.lower())
        except (UnicodeDecodeError, IndexError):
            theirs = None
        ours = [
            winconfig.entry(t)
            for t in lines
            if winconfig.entry(t) and winconfig.entry(t)[0].lower() == KEY.lower()
        ]
        if theirs is not None:  # xlwings keeps the last line of a key, VBA and winconfig the first
            assert ours and ours[-1][1] == theirs.lstrip("\ufeff"), f"case {i}: {original!r}"
        previous = json.loads(json.dumps(winconfig.find(lines, KEY)))
        winconfig.write(path, winconfig.replace(lines, KEY, winconfig.line(KEY, r"C:\new\pythonw.exe")))
        assert winconfig.get(winconfig.read(path), KEY) == r"C:\new\pythonw.exe", f"case {i}: {original!r}"
        winconfig.write(path, winconfig.replace(winconfig.read(path), KEY, previous))
        assert path.read_bytes() == original, f"case {i}: {original!r}"
