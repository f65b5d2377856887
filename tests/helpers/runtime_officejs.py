"""Subprocess helper of tests/runtimes/test_officejs.py: run xlfuncs.runtimes.excel under xlwings' Office.js runtime.

Run as a script in a fresh interpreter with ``XLWINGS_ON_SERVER=true`` and
``XLWINGS_LICENSE_KEY=noncommercial`` (the parent test sets them; xlwings picks
the Office.js decorators when it is first imported).  Reads from stdin a JSON list
of calls ``{"func_name", "args", "runtime"}``, sends each through the real
``xlwings.server.custom_functions_call`` with the payload Excel's client sends, and
writes one JSON object to stdout::

    {"runtime": {...}, "exports": {NAME: {...}}, "meta": <custom_functions_meta>,
     "calls": [<result matrix> or {"raised": "Type: message"}, ...]}

Importing this module does nothing (pytest's --doctest-modules imports it).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


#: The environment that makes xlwings choose its Office.js decorators.
OFFICE_JS = {"XLWINGS_ON_SERVER": "true", "XLWINGS_LICENSE_KEY": "noncommercial"}


def run_runtime(helper, calls, env_update=()):
    """Run ``tests/helpers/<helper>`` (runtime_officejs.py or runtime_classic.py) in a fresh interpreter
    with ``calls`` on stdin and the environment less xlwings' settings plus ``env_update``;
    return its JSON answer, or fail the test with its stderr."""
    import pytest

    env = {k: v for k, v in os.environ.items() if not k.startswith("XLWINGS_")}
    env.update(env_update)
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "helpers" / helper)],
        input=json.dumps(calls),
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if proc.returncode:
        pytest.fail(f"{helper} exited with {proc.returncode}:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout)


def payload(func_name, args, runtime, version):
    """The body the xlwings Office.js client posts for one custom-function call."""
    return {
        "func_name": func_name,
        "args": args,
        "caller_address": "[Book1.xlsx]Sheet1!B2",
        "culture_info_name": "en-US",
        "date_format": "M/d/yyyy",
        "version": version,
        "client": "Office.js",
        "runtime": runtime,
    }


def exports(module):
    """What the runtime's decorator attached to every exported function."""
    out = {}
    for name in module.__all__:
        xlfunc = getattr(getattr(module, name), "__xlfunc__", None)
        out[name] = (
            None
            if xlfunc is None
            else {
                "name": xlfunc["name"],
                "args": [a["name"] for a in xlfunc["args"]],
                "options": [a["options"] for a in xlfunc["args"]],
                "keys": sorted(xlfunc),
            }
        )
    return out


def assert_registered(exports_record, registry, options, only_key):
    """Every function of ``registry`` carries the runtime's ``__xlfunc__`` with its own name and
    arguments, ``options`` on every argument, and ``only_key``, a key only that runtime writes."""
    assert list(exports_record) == list(registry)
    for name, spec in registry.items():
        xlfunc = exports_record[name]
        assert xlfunc is not None, f"{name} has no __xlfunc__"
        assert xlfunc["name"] == name
        assert xlfunc["args"] == [a.name for a in spec.args]
        assert xlfunc["options"] == [options] * len(spec.args)
        assert only_key in xlfunc["keys"]


def main():
    if os.environ.get("XLWINGS_ON_SERVER") != "true" or "xlwings" in sys.modules:
        raise SystemExit("run in a fresh interpreter with XLWINGS_ON_SERVER=true")
    sys.path.insert(0, str(ROOT))
    calls = json.load(sys.stdin)
    with contextlib.redirect_stdout(sys.stderr):  # stdout carries only the JSON result
        import xlwings
        import xlwings.server

        import xlfuncs.runtimes.excel

        results = []
        for call in calls:
            data = payload(call["func_name"], call["args"], call.get("runtime", "1.4"), xlwings.__version__)
            try:
                results.append(
                    asyncio.run(xlwings.server.custom_functions_call(data, xlfuncs.runtimes.excel))
                )
            except Exception as exc:
                results.append({"raised": f"{type(exc).__name__}: {exc}"})
        out = {
            "runtime": {
                "func_module": xlwings.func.__module__,
                "func_is_server_func": xlwings.func is xlwings.server.func,
                "arg_module": xlwings.arg.__module__,
            },
            "exports": exports(xlfuncs.runtimes.excel),
            "meta": xlwings.server.custom_functions_meta(xlfuncs.runtimes.excel),
            "calls": results,
        }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
