"""The data layer's dependencies as files to pack where pip cannot install (LibreOffice's .oxt).

LibreOffice runs an extension's Python from its ``pythonpath/`` folder with the office's own
interpreter, which has no pip: the data functions need requests, requests-cache and
platformdirs, and what those require, copied in.  They are all pure Python; the optional
compiled speed-ups some ship (charset-normalizer's) are left out, and their pure modules
serve instead.
"""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path, PurePosixPath

#: The distributions the data layer imports (the ``data`` extra of pyproject.toml).
ROOTS = ("requests", "requests-cache", "platformdirs")
#: File kinds packed: sources, certifi's CA bundle and type markers.  Not compiled extensions.
SUFFIXES = {".py", ".pem", ".typed"}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*")


def distributions() -> list[metadata.Distribution]:
    """The installed distributions of :data:`ROOTS` and everything they require (not extras)."""
    seen: dict[str, metadata.Distribution] = {}
    todo = list(ROOTS)
    while todo:
        name = todo.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:  # a requirement of another Python version
            continue
        seen[key] = dist
        for requirement in dist.requires or ():
            if "extra ==" in requirement:
                continue
            match = _NAME.match(requirement)
            if match:
                todo.append(match.group(0))
    return [seen[k] for k in sorted(seen)]


def files(prefix: str = "pythonpath") -> dict[str, bytes]:
    """``{archive path: bytes}`` of every packed file of :func:`distributions`."""
    out: dict[str, bytes] = {}
    for dist in distributions():
        for entry in dist.files or ():
            path = PurePosixPath(str(entry))
            if (
                path.suffix not in SUFFIXES
                or path.parts[0] == ".."
                or path.parts[0].endswith((".dist-info", ".egg-info"))
                or "__pycache__" in path.parts
            ):
                continue
            out[f"{prefix}/{path}"] = Path(entry.locate()).read_bytes()
    return dict(sorted(out.items()))
