"""xlwings Server's own app serving xlfuncs, run in a fresh interpreter.

Shared by ``tests/test_runtimes_server.py`` and ``bench/bench_server.py``.  Importing this
module has no side effects and imports nothing of xlwings: the parent side
(:func:`installed`, :func:`body`, :func:`make_project`, :func:`run_server`) only
builds files and starts a subprocess; the child side (:func:`serve`) runs in that
subprocess.

Our functions are mounted the documented way: a project directory with the layout
``xlwings-server init`` creates (``custom_functions/`` and ``custom_scripts/``
packages), whose ``custom_functions/__init__.py`` is the single line :data:`MOUNT`.
xlwings Server's own FastAPI app (``xlwings_server.main:main_app``) is then driven
in-process with FastAPI's ``TestClient``, as xlwings Server's own tests do.

Why a fresh interpreter: importing ``xlwings_server`` sets ``XLWINGS_ON_SERVER=true``
in ``os.environ``, puts the project directory on ``sys.path`` and reads ``.env`` and
``pyproject.toml`` from it, and xlwings binds its decorators when first imported.
None of that may reach the process that starts the child (pytest's, with the other
tests), so that process never imports ``xlwings_server``; :func:`installed` only
looks it up.

The child is a script run with ``--child``: this file for a list of plain requests
(:func:`requests_job`), or any script whose ``--child`` calls :func:`serve` with its
own handler (``bench/bench_server.py``).  The job goes in as JSON on stdin, the
answer comes back as JSON on stdout.

Licence: xlwings Server and ``xlwings.server`` are PolyForm Noncommercial 1.0.0
or a paid xlwings PRO licence; ``XLWINGS_LICENSE_KEY=noncommercial`` is set only
in the child's environment.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: The whole of ``custom_functions/__init__.py`` in an xlwings Server project.
MOUNT = "from xlfuncs.runtimes.excel import *  # noqa: F403\n"
NAMESPACE = "XLFUNCS"  # XLWINGS_FUNCTIONS_NAMESPACE: formulas read =XLFUNCS.MARKETCAP(...)
CALL_URL = "/xlwings/custom-functions-call"
NOT_INSTALLED = (
    "xlwings Server is not installed; it is optional: pip install 'xlfuncs[server]' "
    "(Python >= 3.11; PolyForm Noncommercial 1.0.0 or a paid xlwings licence)"
)


def installed() -> bool:
    """Whether xlwings Server and the test client's dependencies are installed.

    ``find_spec``, not an import: importing ``xlwings_server`` would set
    ``XLWINGS_ON_SERVER=true`` in this process's environment.
    """
    return all(importlib.util.find_spec(name) for name in ("xlwings_server", "fastapi", "httpx"))


def body(func_name, args, runtime="1.4", version=None):
    """The JSON the xlwings Office.js client posts for one cell's formula."""
    return {
        "func_name": func_name,  # Python __name__, which xlfuncs.runtimes.excel sets to the Excel name
        "args": args,  # one 2-D matrix per parameter, None for an omitted optional
        "caller_address": "[Book1.xlsx]Sheet1!B2",
        "culture_info_name": "en-US",
        "date_format": "M/d/yyyy",
        "version": version or metadata.version("xlwings"),
        "client": "Office.js",
        "runtime": runtime,
    }


# --------------------------------------------------------------------------- parent side


def make_project(directory: Path) -> Path:
    """An xlwings Server project (the layout ``xlwings-server init`` creates) serving xlfuncs."""
    (directory / "custom_functions").mkdir(parents=True, exist_ok=True)
    (directory / "custom_scripts").mkdir(exist_ok=True)
    (directory / "custom_functions" / "__init__.py").write_text(MOUNT)
    (directory / "custom_scripts" / "__init__.py").write_text("")
    return directory


def run_server(
    project: Path,
    job: dict,
    script: Path | str | None = None,
    timeout: float | None = 600,
    settings: dict[str, str] | None = None,
) -> dict:
    """Run ``job`` against xlwings Server's app in a fresh interpreter; return its JSON answer.

    ``script`` is run with ``--child`` (default: this file, which answers a list of
    requests); ``settings``: extra environment variables (XLWINGS_*, XLFUNCS_*).  Raises
    ``RuntimeError`` with the child's stderr if it fails.
    """
    proc = subprocess.run(
        [sys.executable, str(Path(script or __file__).resolve()), "--child"],
        input=json.dumps(job),
        env=child_env(project, **(settings or {})),
        cwd=project,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if proc.returncode:
        raise RuntimeError(f"xlwings Server child exited with {proc.returncode}:\n{proc.stderr[-5000:]}")
    return json.loads(proc.stdout)


def child_env(project: Path, **settings: str) -> dict[str, str]:
    """The environment of a server process for ``project``: no XLWINGS_* of ours, plus ``settings``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("XLWINGS_", "XLFUNCS_")) and k != "DOTENV_PATH"
    }
    env.update(
        XLWINGS_PROJECT_DIR=str(project),  # what the `xlwings-server` command sets
        XLWINGS_LICENSE_KEY="noncommercial",
        XLWINGS_FUNCTIONS_NAMESPACE=NAMESPACE,
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    env.update(settings)
    return env


# --------------------------------------------------------------------------- child side


def serve(handler) -> None:
    """In the child: start xlwings Server's app, answer ``handler(client, job)`` on stdout.

    ``job`` is the JSON read from stdin; ``client`` a ``TestClient`` on the app.  The
    answer gets ``xlwings_func_module`` and ``custom_functions`` (where the mounted
    module was loaded from) added.
    """
    if "xlwings" in sys.modules or "XLWINGS_PROJECT_DIR" not in os.environ:
        raise SystemExit("run by run_server(): a fresh interpreter with XLWINGS_PROJECT_DIR set")
    job = json.load(sys.stdin)
    with contextlib.redirect_stdout(sys.stderr):  # stdout carries only the JSON answer
        import logging

        from fastapi.testclient import TestClient

        # isort: off
        # First import of xlwings, through xlwings_server (as `xlwings-server`, uvicorn and
        # gunicorn do): its config sets XLWINGS_ON_SERVER=true before xlwings binds its
        # decorators; then it imports the project's custom_functions, i.e. MOUNT.
        # job["app"]: "xlwings" (xlwings Server's app as it comes) or "xlfuncs"
        # (xlfuncs.runtimes.server:app, the same app with xlfuncs' guard).
        if job.get("app", "xlwings") == "xlfuncs":
            from xlfuncs.runtimes.server import app as main_app
        else:
            from xlwings_server.main import main_app

        import xlwings

        # isort: on
        logging.getLogger("httpx").setLevel(logging.WARNING)  # the test client's own log line
        # As a context manager the client keeps one event loop for all requests, as a
        # server process does (otherwise every request starts a thread and an event loop).
        with TestClient(main_app) as client:
            out = handler(client, job)
        out.update(
            xlwings_func_module=xlwings.func.__module__,
            custom_functions=sys.modules["custom_functions"].__file__,
        )
    json.dump(out, sys.stdout)


def requests_job(client, job) -> dict:
    """``job["requests"]``: ``{"label", "method", "path", "json"}`` each; answers by label."""
    responses = {}
    for r in job["requests"]:
        # "content": a raw body (malformed JSON and the like) instead of "json"
        raw = {"content": r["content"].encode()} if "content" in r else {"json": r.get("json")}
        resp = client.request(r["method"], r["path"], headers=r.get("headers"), **raw)
        entry = {"status": resp.status_code, "text": resp.text}
        if resp.headers.get("content-type", "").startswith("application/json"):
            entry["json"] = resp.json()
        responses[r["label"]] = entry
    return {"responses": responses}


if __name__ == "__main__":
    if sys.argv[1:] != ["--child"]:
        raise SystemExit("usage: started by run_server() with --child")
    serve(requests_job)
