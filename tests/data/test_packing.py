"""The data layer's dependencies packed as plain files import with nothing but the standard library."""

from __future__ import annotations

import subprocess
import sys

from xlfuncs.data import packing


def test_the_closure_of_the_data_extra():
    names = {d.metadata["Name"].lower().replace("_", "-") for d in packing.distributions()}
    assert {
        "requests",
        "requests-cache",
        "platformdirs",
        "urllib3",
        "idna",
        "certifi",
        "attrs",
        "cattrs",
        "url-normalize",
        "charset-normalizer",
    } <= names


def test_packed_files_import_without_site_packages(tmp_path):
    files = packing.files()
    assert "pythonpath/requests/__init__.py" in files and "pythonpath/certifi/cacert.pem" in files
    assert not [p for p in files if p.endswith((".so", ".pyd", ".pyc"))]
    for name, data in files.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "import requests, requests_cache, platformdirs;"
        "s = requests_cache.CachedSession(backend='memory');"
        "print(requests.__file__.startswith(sys.argv[1]), type(s).__name__)"
    )
    # -I -S: isolated, no site-packages: only the standard library and the packed folder.
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", code, str(tmp_path / "pythonpath")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "CachedSession"]
