"""The package root loads the functions on first use: the command line starts without the kernels and
numpy, and REGISTRY holds the same functions in the same order whatever is imported first.

Each case runs in a fresh interpreter, since this one has long imported everything.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def fresh(code: str) -> object:
    """What ``code`` prints as JSON on its last line, run in a new interpreter from the repository."""
    run = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_the_calc_command_starts_without_numpy_or_the_kernels():
    loaded = fresh(
        """
        import json, sys
        import xlfuncs.cli, xlfuncs.calc.command, xlfuncs.calc.workbook
        from xlfuncs.calc.libreoffice import engine, instances
        print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("numpy", "babel")
                                or m.startswith("xlfuncs.functions"))))
        """
    )
    assert loaded == []


FIRST = {
    "the kernels": "import xlfuncs.functions",
    "the spec alone, then the kernels": "import xlfuncs.framework.spec; import xlfuncs.functions",
    "a runtime": "import xlfuncs.runtimes.excel",
    "the stored calls": "import xlfuncs.xlsx.calls; xlfuncs.xlsx.calls._registry()",
    "the package's attribute": "import xlfuncs; xlfuncs.REGISTRY",
    "a function by name": "from xlfuncs import marketcap",
}


@pytest.mark.parametrize("first", FIRST.values(), ids=FIRST.keys())
def test_the_registry_is_the_same_whatever_is_imported_first(first):
    registry = fresh(
        f"""
        import json
        {first}
        from xlfuncs.framework.spec import REGISTRY
        print(json.dumps(list(REGISTRY)))
        """
    )
    from xlfuncs import REGISTRY

    assert registry == list(REGISTRY)
    assert registry[-5:] == ["FILING", "FILINGS", "COINSUPPLY", "COINPRICE", "FXRATE"]  # the data extra


def test_the_root_names_every_function_as_before():
    """``from xlfuncs import *``, ``dir()``, ``__all__`` and the attributes give each registered
    function under its Python name, with InputError, REGISTRY and __version__."""
    seen = fresh(
        """
        import json
        import xlfuncs
        names = dir(xlfuncs)
        scope = {}
        exec("from xlfuncs import *", scope)
        print(json.dumps({
            "all": xlfuncs.__all__,
            "dir": [n for n in xlfuncs.__all__ if n in names],
            "star": sorted(n for n in scope if n != "__builtins__"),
            "same": all(getattr(xlfuncs, s.python_name) is s.function for s in xlfuncs.REGISTRY.values()),
            "version": xlfuncs.__version__,
        }))
        """
    )
    from xlfuncs import REGISTRY, __version__

    expected = ["InputError", "REGISTRY", "__version__", *(s.python_name for s in REGISTRY.values())]
    assert seen["all"] == seen["dir"] == expected
    assert seen["star"] == sorted(expected)
    assert seen["same"] and seen["version"] == __version__


def test_a_name_the_package_lacks_is_an_attribute_error():
    import xlfuncs

    with pytest.raises(AttributeError, match="no_such_function"):
        _ = xlfuncs.no_such_function
    with pytest.raises(AttributeError, match="__wrapped__"):
        _ = xlfuncs.__wrapped__
