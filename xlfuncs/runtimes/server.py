"""xlwings Server serving xlfuncs, hardened: a body limit, request checks and calls off the event loop.

The served ASGI app is :data:`app` (``uvicorn xlfuncs.runtimes.server:app``, or gunicorn
with uvicorn workers), run in an xlwings Server project whose
``custom_functions/__init__.py`` is ``from xlfuncs.runtimes.excel import *``.  It is
xlwings Server's own app (``xlwings_server.main.main_app``: its routes, CORS, security
headers, socket.io, settings and auth providers) with one middleware added innermost,
:class:`Guard`, which

- refuses any request body over :data:`MAX_BODY_BYTES` with **413** (before reading it
  when ``Content-Length`` says so, else as soon as the count passes the limit);
- answers ``POST /xlwings/custom-functions-call`` for xlfuncs' functions itself, with
  xlwings Server's own authentication (``dependencies.authenticate`` and ``get_user``:
  ``XLWINGS_AUTH_PROVIDERS``, required roles) and xlwings' own call path
  (``xlwings.server.custom_functions_call``, so conversion and error values are what
  xlwings makes of them), after checking the request: a malformed body gets **400**, an
  unknown function **404**, each with a one-line reason as ``{"detail": ...}`` (what
  the Office.js client shows on the cell);
- does everything proportional to a call's size (JSON decoding, the function, the
  JSON answer) in a bounded pool of worker threads when the body is over
  :data:`INLINE_BYTES`, so one large call does not hold up the one-cell calls of
  everyone else (nor, meanwhile, the garbage collector's passes over its objects or one
  ``json.dumps`` of its whole answer: :mod:`.large_calls`); at most :data:`MAX_QUEUED`
  such calls are taken at once, more get **503** (which the client retries);
- runs every call of a function that fetches (:func:`.fetching.fetches`:
  FILING, COINPRICE...) in a pool of its own, whatever its size, so a slow source holds
  neither the event loop nor the large calls; at most :data:`MAX_FETCHING` at once, more
  get **503**;
- serves the function metadata in each language of :mod:`xlfuncs.i18n` beside xlwings
  Server's English ``/xlwings/custom-functions-meta.json`` (``…-meta-de.json``: the same
  ids and names, the descriptions translated; :func:`.metadata.localise`), and adds the
  ``<bt:Override Locale="de-DE" …>`` elements (de-DE, de-AT, de-CH) to the manifest's
  metadata URL, so a German Excel shows the German texts;
- passes every other request (and calls to functions that are not xlfuncs', if the
  project mounts its own too) to xlwings Server unchanged.

Settings, from the environment: ``XLFUNCS_MAX_BODY_BYTES`` (default 10,000,000, about
a 1,000,000-cell range), ``XLFUNCS_SERVER_THREADS`` (default 2) and
``XLFUNCS_FETCH_THREADS`` (default 4).

Authentication is xlwings Server's: with ``XLWINGS_AUTH_PROVIDERS`` empty (its default)
anyone who can reach the server may call the functions, and :data:`app` logs a warning
saying so at start-up.  Importing this module imports ``xlwings_server.main`` (which
reads the project's settings), so it is only imported by the server process.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

# isort: off
# xlwings Server first, as its own command does: its config sets XLWINGS_ON_SERVER=true
# before xlwings binds its decorators, and it imports the project's custom_functions.
from xlwings_server import dependencies as _dep  # type: ignore[import-untyped]
from xlwings_server import main as _main
from xlwings_server.config import settings as _settings  # type: ignore[import-untyped]
from xlwings_server.routers import xlwings as _router  # type: ignore[import-untyped]

import xlwings.server

# isort: on
from fastapi import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request

from ..functions import REGISTRY
from ..i18n import languages
from . import metadata
from .fetching import fetches
from .large_calls import answer_json, collector_paused

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

logger = logging.getLogger(__name__)


def _int_setting(name: str, default: int) -> int:
    text = os.environ.get(name, "")
    try:
        value = int(text) if text.strip() else default
    except ValueError:
        raise SystemExit(f"{name}={text!r}: not a whole number") from None
    if value < 1:
        raise SystemExit(f"{name}={value}: must be at least 1")
    return value


#: Largest request body accepted, in bytes (``XLFUNCS_MAX_BODY_BYTES``).
MAX_BODY_BYTES = _int_setting("XLFUNCS_MAX_BODY_BYTES", 10_000_000)
#: Worker threads for large calls (``XLFUNCS_SERVER_THREADS``).
THREADS = _int_setting("XLFUNCS_SERVER_THREADS", 2)
#: Large calls running or waiting at once; more get 503.
MAX_QUEUED = 4 * THREADS
#: Worker threads for calls of the functions that fetch (``XLFUNCS_FETCH_THREADS``): they mostly wait.
FETCH_THREADS = _int_setting("XLFUNCS_FETCH_THREADS", 4)
#: Calls that fetch running or waiting at once; more get 503.
MAX_FETCHING = 4 * FETCH_THREADS
#: Bodies up to this size are decoded and computed on the event loop (faster than a thread hop).
INLINE_BYTES = 16_384
CALL_PATH = f"{_settings.app_path}/xlwings/custom-functions-call"
_RUNTIME = re.compile(r"[0-9]+(\.[0-9]+)?\Z")


class BadRequest(Exception):
    """A request refused with ``status`` and a one-line reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def check_call(data: object) -> None:
    """Raise :class:`BadRequest` unless ``data`` is a call xlwings can answer for an xlfuncs function.

    Only called for a ``func_name`` that is one of xlfuncs' functions.
    """
    if not isinstance(data, dict):
        raise BadRequest(400, "the request body must be a JSON object")
    name = data["func_name"]
    spec = REGISTRY[name]
    args = data.get("args")
    if not isinstance(args, list):
        raise BadRequest(400, f"{name}: 'args' must be a list with one entry per argument, not {_kind(args)}")
    if len(args) > len(spec.args):
        raise BadRequest(400, f"{name} takes at most {len(spec.args)} arguments, got {len(args)}")
    for i, arg in enumerate(args):
        if arg is not None and not (isinstance(arg, list) and arg and all(isinstance(r, list) for r in arg)):
            raise BadRequest(
                400, f"{name}: args[{i}] must be a range (a list of rows) or null, not {_kind(arg)}"
            )
    for key in ("version", "runtime"):
        if not isinstance(data.get(key), str):
            raise BadRequest(400, f"'{key}' is missing or not text")
    if not _RUNTIME.match(data["runtime"]):
        raise BadRequest(400, f"'runtime' must be a version such as \"1.4\", not {data['runtime'][:20]!r}")
    for key in ("client", "caller_address", "culture_info_name", "date_format"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise BadRequest(400, f"'{key}' must be text")


def _kind(value: object) -> str:
    return "null" if value is None else f"a JSON {type(value).__name__}".replace("dict", "object")


def _func_name(data: object) -> str:
    """The called function's name, or :class:`BadRequest`."""
    if not isinstance(data, dict):
        raise BadRequest(400, "the request body must be a JSON object")
    name = data.get("func_name")
    if not isinstance(name, str) or not name:
        raise BadRequest(400, "'func_name' is missing or not text")
    return name


async def _answer_call(data: dict[str, Any], user: Any) -> bytes:
    """One call through xlwings' own call path, answered as JSON bytes.  An ``XlwingsError``
    (a client of another xlwings version, a missing role, ...) is a 400, as xlwings Server's
    own handler answers it.
    """
    try:
        result = await xlwings.server.custom_functions_call(data, _router.custom_functions, user)
    except xlwings.XlwingsError as exc:
        raise BadRequest(400, str(exc).splitlines()[0][:200]) from None
    return answer_json(result)


def _compute(data: dict[str, Any], user: Any) -> bytes:
    """:func:`_answer_call` in a worker thread, on an event loop of its own."""
    return asyncio.run(_answer_call(data, user))


def _decode_and_compute(body: bytes, user: Any) -> bytes:
    with collector_paused():  # (the call's objects are freed before the collector is back on)
        return _answer_body(body, user)


def _answer_body(body: bytes, user: Any) -> bytes:
    data = _decode(body)
    check_call(data)
    return _compute(data, user)


def _decode(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest(
            400, f"the request body is not valid JSON ({str(exc).splitlines()[0][:80]})"
        ) from None


class BodyTooLarge(Exception):
    pass


class Guard:
    """The ASGI middleware described in the module docstring."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.pool = ThreadPoolExecutor(THREADS, thread_name_prefix="xlfuncs")
        self.slots = asyncio.Semaphore(MAX_QUEUED)
        self.fetch_pool = ThreadPoolExecutor(FETCH_THREADS, thread_name_prefix="xlfuncs-fetch")
        self.fetch_slots = asyncio.Semaphore(MAX_FETCHING)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            lang = META_PATHS.get(scope["path"])
            if lang is not None:
                meta = metadata.localise(await _router.custom_functions_meta(), lang)
                await _answer_json(send, json.dumps(meta, ensure_ascii=False).encode())
                return
            if scope["path"] == MANIFEST_PATH:
                await self.app(scope, receive, _with_overrides(send))
                return
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        try:
            body = await _read_body(scope, receive)
        except BodyTooLarge:
            await _answer(
                send, 413, f"the request body is larger than the server's limit of {MAX_BODY_BYTES:,} bytes"
            )
            return
        try:
            if scope["path"] == CALL_PATH and await self._call(scope, body, send):
                return
        except BadRequest as exc:
            await _answer(send, exc.status, exc.reason)
            return
        except HTTPException as exc:  # from xlwings Server's authentication
            await _answer(send, exc.status_code, str(exc.detail), exc.headers)
            return
        await self.app(scope, _replay(body), send)

    async def _call(self, scope: Scope, body: bytes, send: Send) -> bool:
        """Answer a call to one of xlfuncs' functions; False to leave the request to xlwings Server."""
        large = len(body) > INLINE_BYTES
        if large:
            name = _peek_func_name(body)
        else:
            data = _decode(body)
            name = _func_name(data)
        registered = hasattr(getattr(_router.custom_functions, name, None), "__xlfunc__")
        if not registered:  # an attribute that is no custom function (``__init__``) is none either
            raise BadRequest(404, f"no function named {name[:60]!r} on this server")
        if name not in REGISTRY:
            return False  # the project's own function: xlwings Server's route
        request = Request(scope)
        user = await _dep.authenticate(
            token_string=request.headers.get("authorization", ""),
            auth_provider=request.headers.get("auth-provider"),
        )
        user = await _dep.get_user(request, user)
        logger.info('Function "%s" called by %s', name, _router.sanitize_log_input(user.name))
        fetching = fetches(REGISTRY[name])
        if not large and not fetching:
            check_call(data)
            await _answer_json(send, await _answer_call(data, user))
            return True
        pool, slots, kind = (
            (self.fetch_pool, self.fetch_slots, "calls that fetch")
            if fetching
            else (self.pool, self.slots, "large calls")
        )
        if slots.locked():
            raise BadRequest(503, f"the server is busy with other {kind}; try again")
        async with slots:
            answer = await asyncio.get_running_loop().run_in_executor(pool, _decode_and_compute, body, user)
        await _answer_json(send, answer)
        return True


#: xlwings Server's metadata route, and ours for each other language: ``{path: language}``.
META_PATH = "/xlwings/custom-functions-meta"
META_PATHS = {f"{META_PATH}-{lang}{ext}": lang for lang in languages()[1:] for ext in ("", ".json")}
MANIFEST_PATH = "/manifest"
#: The manifest's metadata URL as xlwings Server's template writes it (one empty element).
_META_URL = re.compile(rb'<bt:Url id="' + metadata.URL_ID.encode() + rb'" DefaultValue="([^"]*)"\s*/>')


def add_overrides(manifest: bytes) -> bytes:
    """The manifest with an override of its metadata URL per language and Office locale: the
    English URL with ``-<lang>`` before ``.json``.
    """

    def replace(match: re.Match[bytes]) -> bytes:
        default = match.group(1).decode()
        found = metadata.overrides(lambda lang: default.replace(".json", f"-{lang}.json"))
        return f'<bt:Url id="{metadata.URL_ID}" DefaultValue="{default}">{found}\n</bt:Url>'.encode()

    return _META_URL.sub(replace, manifest, count=1)


def _with_overrides(send: Send) -> Send:
    """``send`` for the manifest's answer: its body gathered, the overrides added, its length set."""
    start: Message = {}
    chunks: list[bytes] = []

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
            return
        if message["type"] != "http.response.body":
            await send(message)
            return
        chunks.append(message.get("body", b""))
        if message.get("more_body", False):
            return
        body = add_overrides(b"".join(chunks))
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        await send({**start, "headers": [*headers, (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    return wrapped


def _peek_func_name(body: bytes) -> str:
    """``func_name`` of a large body without decoding it all on the event loop.

    The Office.js client sends ``func_name`` before ``args``; a body that puts it
    elsewhere is decoded in full (in a worker thread, by the caller) and checked there.
    """
    match = re.search(rb'"func_name"\s*:\s*"([A-Za-z0-9_.]{1,255})"', body[:4096])
    if match is None:
        raise BadRequest(400, "'func_name' must come first in a large request body")
    return match.group(1).decode()


async def _read_body(scope: Scope, receive: Receive) -> bytes:
    declared = dict(scope["headers"]).get(b"content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise BodyTooLarge
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _answer_json(
    send: Send, body: bytes, status: int = 200, headers: Mapping[str, str] | None = None
) -> None:
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


async def _answer(send: Send, status: int, reason: str, headers: Mapping[str, str] | None = None) -> None:
    """A refusal: ``{"detail": reason}``, as FastAPI's HTTPException answers."""
    await _answer_json(send, json.dumps({"detail": reason}).encode(), status, headers)


# Innermost of the app's own middleware (inside CORS and security headers, which then
# apply to our answers too), added before the app first starts.
_main.app.user_middleware.append(Middleware(Guard))
if not _settings.auth_providers:
    logger.warning(
        "xlfuncs: authentication is off (XLWINGS_AUTH_PROVIDERS is empty): anyone who can reach this "
        "server can call its functions; for local use only"
    )
#: The ASGI app to serve.
app = _main.main_app
