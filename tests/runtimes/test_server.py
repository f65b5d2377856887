"""xlfuncs inside xlwings Server (the optional ``server`` extra), over HTTP as Excel calls it.

Our functions are mounted the documented way (a project directory as
``xlwings-server init`` creates it, whose ``custom_functions/__init__.py`` is one
line importing ``xlfuncs.runtimes.excel``) and xlwings Server's own FastAPI app is driven
in-process with FastAPI's ``TestClient``, as xlwings Server's own tests do:
``GET /xlwings/custom-functions-meta`` (what Excel registers) and
``POST /xlwings/custom-functions-call`` with the body its Office.js client sends.

The app runs in ONE fresh interpreter, started by ``bench/server_harness.py``
(shared with ``bench/bench_server.py``, the benchmark of this path): importing
``xlwings_server`` changes the process's environment and ``sys.path`` (see that
module's docstring), so this pytest process never imports it; it only checks that
it is installed.  ``bench`` is imported from the repository root, which pytest puts
on ``sys.path`` (``pythonpath = ["."]`` in pyproject.toml).

Licence: xlwings Server and ``xlwings.server`` are PolyForm Noncommercial 1.0.0
or a paid xlwings PRO licence; ``XLWINGS_LICENSE_KEY=noncommercial`` is set only
in the child's environment.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bench.server_harness import CALL_URL, NAMESPACE, NOT_INSTALLED, body, installed, make_project, run_server
from xlfuncs import REGISTRY  # the package does not import xlwings

if not installed():
    pytest.skip(NOT_INSTALLED, allow_module_level=True)


def err(kind):
    """An error cell as custom-functions-call returns it (CustomFunctionsRuntime 1.4)."""
    return {"type": "Error", "errorType": kind}


NA_CELL = {"type": "Error", "basicType": "Error", "basicValue": "#N/A", "errorType": "NotAvailable"}
DIV0_CELL = {"type": "Error", "basicType": "Error", "basicValue": "#DIV/0!", "errorType": "Div0"}

REQUESTS = {
    "meta": ("GET", "/xlwings/custom-functions-meta", None),
    "code": ("GET", "/xlwings/custom-functions-code", None),
    "manifest": ("GET", "/manifest", None),
    "marketcap": ("POST", CALL_URL, body("MARKETCAP", [[[100]], [[1_000_000]]])),
    "marketcap range": ("POST", CALL_URL, body("MARKETCAP", [[[100], [50]], [[1_000_000]]])),
    "error pass-through": ("POST", CALL_URL, body("MARKETCAP", [[[NA_CELL, DIV0_CELL, 100]], [[1_000_000]]])),
    "bad input": ("POST", CALL_URL, body("MARKETCAP", [[[-1]], [[1_000_000]]])),
    "bad input mixed": ("POST", CALL_URL, body("MARKETCAP", [[[-1, "abc", 100]], [[1_000_000]]])),
    "runtime 1.3": ("POST", CALL_URL, body("MARKETCAP", [[[-1, 100]], [[1_000_000]]], runtime="1.3")),
    "ev omitted optionals": ("POST", CALL_URL, body("EV", [[[100]], [[20]], [[5]], None, None, None])),
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("xlwings-server-project"))
    jobs = [{"label": label, "method": m, "path": p, "json": j} for label, (m, p, j) in REQUESTS.items()]
    try:
        out = run_server(project, {"requests": jobs})
    except RuntimeError as exc:
        pytest.fail(str(exc))
    out["project"] = str(project)
    return out


def response(server, label, status=200):
    r = server["responses"][label]
    assert r["status"] == status, r
    return r


def test_our_functions_are_mounted_from_the_project(server):
    assert server["xlwings_func_module"] == "xlwings.pro.udfs_officejs"
    assert server["custom_functions"] == str(Path(server["project"], "custom_functions", "__init__.py"))


def test_meta_lists_every_function_with_its_descriptions(server):
    meta = response(server, "meta")["json"]
    functions = {f["id"]: f for f in meta["functions"]}
    assert sorted(functions) == sorted(REGISTRY)
    for name, spec in REGISTRY.items():
        f = functions[name]
        assert f["name"] == name
        assert f["description"] == spec.summary
        assert [p["name"] for p in f["parameters"]] == [a.name for a in spec.args]
        assert [p["description"] for p in f["parameters"]] == [a.doc for a in spec.args]
        assert [p.get("optional", False) for p in f["parameters"]] == [not a.required for a in spec.args]
        assert f["result"]["dimensionality"] == "matrix"


def test_german_meta_has_every_function_with_the_catalogue_texts(guarded):
    """The same ids, names and parameters as xlwings' own metadata; the descriptions are the German
    catalogue's (read here with Babel from the .po file, independently of the server's code)."""
    from babel.messages.pofile import read_po

    with open(Path(__file__).parents[2] / "xlfuncs/i18n/locale/de/LC_MESSAGES/xlfuncs.po", "rb") as f:
        german = {(m.context, m.id): m.string for m in read_po(f) if m.id}
    english = {f["id"]: f for f in response(guarded, "meta")["json"]["functions"]}
    meta = {f["id"]: f for f in response(guarded, "meta de")["json"]["functions"]}
    assert sorted(meta) == sorted(english) == sorted(REGISTRY)
    for name, spec in REGISTRY.items():
        f, e = meta[name], english[name]
        assert f["name"] == e["name"] == name
        assert f["description"] == german[(name, spec.summary)] != e["description"]
        assert [p["name"] for p in f["parameters"]] == [p["name"] for p in e["parameters"]]
        for p, a in zip(f["parameters"], spec.args, strict=True):
            assert p["description"] == german[(f"{name}({a.name})", a.doc)]


def test_manifest_overrides_the_metadata_url_for_german_locales(guarded):
    text = response(guarded, "manifest")["text"]
    default = re.search(r'<bt:Url id="Functions.Metadata.Url" DefaultValue="([^"]*)">', text).group(1)
    assert default.endswith("/xlwings/custom-functions-meta.json")
    german = default.replace("custom-functions-meta.json", "custom-functions-meta-de.json")
    for locale in ("de-DE", "de-AT", "de-CH"):
        assert f'<bt:Override Locale="{locale}" Value="{german}"/>' in text


def test_functions_code_associates_every_function(server):
    js = response(server, "code")["text"]
    for name in REGISTRY:
        assert f'CustomFunctions.associate("{name}", {name});' in js


def test_manifest_namespace(server):
    assert f'id="Functions.Namespace" DefaultValue="{NAMESPACE}"' in response(server, "manifest")["text"]


@pytest.mark.parametrize(
    "label, result",
    [
        ("marketcap", [[100_000_000.0]]),
        ("marketcap range", [[100_000_000.0], [50_000_000.0]]),
        ("error pass-through", [[err("NotAvailable"), err("Div0"), 100_000_000.0]]),
        ("bad input", [[err("Num")]]),
        ("bad input mixed", [[err("Num"), err("Value"), 100_000_000.0]]),
        ("runtime 1.3", [["#NUM!", 100_000_000.0]]),
        ("ev omitted optionals", [[115.0]]),
    ],
)
def test_call(server, label, result):
    assert response(server, label)["json"] == {"result": result}


# --------------------------------------------------------------------------- the hardened recipe
# xlfuncs.runtimes.server:app, xlwings Server's app with xlfuncs' guard (docs/server.md).
# Each bad request below gets 500 "An error occurred." from xlwings Server's app as it comes,
# which also reads a body of any size whole.

LIMIT = 200_000  # XLFUNCS_MAX_BODY_BYTES for these tests
GOOD = body("MARKETCAP", [[[100]], [[1_000_000]]])
BIG_OK = body("MARKETCAP", [[[10.5 + i] for i in range(12_000)], [[1_000_000]]])  # > INLINE_BYTES, < LIMIT
BIG_TOO_LARGE = body("MARKETCAP", [[[10.5 + i] for i in range(30_000)], [[1_000_000]]])  # > LIMIT


def without(key):
    return {k: v for k, v in GOOD.items() if k != key}


BAD_REQUESTS = {
    # label: (body or raw text, status, words the one-line reason must contain)
    "unknown function": (body("NOSUCHFUNCTION", [[[1]]]), 404, "NOSUCHFUNCTION"),
    "missing func_name": (without("func_name"), 400, "func_name"),
    "missing args": (without("args"), 400, "args"),
    "args null": ({**GOOD, "args": None}, 400, "args"),
    "args not a range": ({**GOOD, "args": [5, [[1]]]}, 400, "args[0]"),
    "XLFUNCS with an argument": (body("XLFUNCS", [[[1]]]), 400, "at most 0 arguments"),
    "too many arguments": (body("MARKETCAP", [[[1]], [[1]], [[1]]]), 400, "at most 2 arguments"),
    "missing version": (without("version"), 400, "version"),
    "missing runtime": (without("runtime"), 400, "runtime"),
    "runtime not a version": ({**GOOD, "runtime": "abc"}, 400, "runtime"),
    "another xlwings version": ({**GOOD, "version": "0.1.0", "client": "VBA"}, 400, "version mismatch"),
    "large, another xlwings version": (
        {**BIG_OK, "version": "0.1.0", "client": "VBA"},
        400,
        "version mismatch",
    ),
    "not JSON": ("{not json", 400, "not valid JSON"),
    "JSON list": ("[1, 2]", 400, "JSON object"),
    "large, not JSON": ('{"func_name": "MARKETCAP", "args": [' + "1," * 20_000, 400, "not valid JSON"),
    "large, args null": (
        {"func_name": "MARKETCAP", "args": None, "pad": "x" * 20_000, **without("args")},
        400,
        "args",
    ),
}
#: Calls of the functions that fetch, answered on the guard's pool for them; offline with an
#: empty cache (the fixture's settings), so nothing leaves the machine.
FETCHING = {
    "filing offline": (body("FILING", [[["TSLA"]], [["shares"]], None, None]), [[err("NotAvailable")]]),
    "filing unknown item": (body("FILING", [[["TSLA"]], [["nonsense"]], None, None]), [[err("Value")]]),
    "coinprice offline": (body("COINPRICE", [[["bitcoin"]], None]), [[err("NotAvailable")]]),
}
GUARDED = {
    "good": ("POST", CALL_URL, GOOD),
    **{label: ("POST", CALL_URL, b) for label, (b, _) in FETCHING.items()},
    "big ok": ("POST", CALL_URL, BIG_OK),
    "too large": ("POST", CALL_URL, BIG_TOO_LARGE),
    "too large, other route": ("POST", "/xlwings/custom-scripts-call/nothing", BIG_TOO_LARGE),
    "meta": ("GET", "/xlwings/custom-functions-meta", None),
    "meta de": ("GET", "/xlwings/custom-functions-meta-de.json", None),
    "manifest": ("GET", "/manifest", None),
    **{label: ("POST", CALL_URL, b) for label, (b, _, _) in BAD_REQUESTS.items()},
}


def request_jobs(requests, headers=None):
    jobs = []
    for label, (method, path, b) in requests.items():
        job = {"label": label, "method": method, "path": path, "headers": headers}
        job.update({"content": b} if isinstance(b, str) else {"json": b})
        jobs.append(job)
    return jobs


@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("xlfuncs-server-project"))
    job = {"app": "xlfuncs", "requests": request_jobs(GUARDED)}
    settings = {
        "XLFUNCS_MAX_BODY_BYTES": str(LIMIT),
        "XLFUNCS_OFFLINE": "1",
        "XLFUNCS_CACHE_DIR": str(tmp_path_factory.mktemp("cache")),
    }
    try:
        return run_server(project, job, settings=settings)
    except RuntimeError as exc:
        pytest.fail(str(exc))


def test_guarded_app_computes_small_and_large_calls(guarded):
    assert response(guarded, "good")["json"] == {"result": [[100_000_000.0]]}
    result = response(guarded, "big ok")["json"]["result"]
    assert result == [[(10.5 + i) * 1_000_000] for i in range(12_000)]


@pytest.mark.parametrize("label", list(FETCHING))
def test_guarded_app_answers_the_functions_that_fetch(guarded, label):
    assert response(guarded, label)["json"] == {"result": FETCHING[label][1]}


def test_guarded_app_serves_everything_else_unchanged(guarded, server):
    assert response(guarded, "meta")["json"] == response(server, "meta")["json"]


@pytest.mark.parametrize("label", ["too large", "too large, other route"])
def test_body_over_the_limit_is_refused_with_413(guarded, label):
    detail = response(guarded, label, 413)["json"]["detail"]
    assert f"{LIMIT:,} bytes" in detail and "\n" not in detail


@pytest.mark.parametrize("label", list(BAD_REQUESTS))
def test_bad_request_gets_4xx_with_one_line(guarded, label):
    _, status, words = BAD_REQUESTS[label]
    detail = response(guarded, label, status)["json"]["detail"]
    assert words in detail and "\n" not in detail and len(detail) < 200


# Authentication: xlwings Server's own providers.  The "custom" provider with a project
# override of auth/custom/__init__.py, exactly as docs/server.md shows it.
AUTH_MODULE = (  # the code block of docs/server.md, "Who may call it"
    (Path(__file__).resolve().parents[2] / "docs" / "server.md")
    .read_text(encoding="utf-8")
    .split("**Who may call it.**", 1)[1]
    .split("```python\n", 1)[1]
    .split("```", 1)[0]
)
TOKEN = "s3cret-token-for-tests"


@pytest.fixture(scope="module", params=["xlwings", "xlfuncs"])
def authed(request, tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("xlfuncs-auth-project"))
    (project / "auth" / "custom").mkdir(parents=True)
    (project / "auth" / "custom" / "__init__.py").write_text(AUTH_MODULE)
    requests = {"call": ("POST", CALL_URL, GOOD)}
    jobs = [
        *({**j, "label": "anonymous"} for j in request_jobs(requests)),
        *({**j, "label": "wrong token"} for j in request_jobs(requests, {"Authorization": "Bearer nope"})),
        *({**j, "label": "token"} for j in request_jobs(requests, {"Authorization": f"Bearer {TOKEN}"})),
    ]
    settings = {"XLWINGS_AUTH_PROVIDERS": '["custom"]', "XLFUNCS_API_TOKEN": TOKEN}
    roles = {**settings, "XLWINGS_AUTH_REQUIRED_ROLES": '["admin"]'}
    try:
        out = run_server(project, {"app": request.param, "requests": jobs}, settings=settings)
        out["roles"] = run_server(project, {"app": request.param, "requests": jobs[2:]}, settings=roles)
    except RuntimeError as exc:
        pytest.fail(str(exc))
    return out


def test_auth_on_refuses_anonymous_and_wrong_tokens(authed):
    assert response(authed, "anonymous", 401)["json"]["detail"] == "Missing or wrong API token"
    assert response(authed, "wrong token", 401)["json"]["detail"] == "Missing or wrong API token"


def test_auth_on_accepts_the_token(authed):
    assert response(authed, "token")["json"] == {"result": [[100_000_000.0]]}


def test_auth_required_roles_refuse_with_403(authed):
    assert "Missing roles for team member: admin" in response(authed["roles"], "token", 403)["json"]["detail"]


# A real uvicorn server on the loopback interface (bench/bench_load.py's), one worker.


def test_one_cell_call_answers_while_a_large_call_runs(tmp_path):
    """xlwings Server's app as it comes answers nothing while a large call runs; the guard
    computes large calls in a worker thread.  Compared within the run, not with a fixed time:
    no one-cell call may wait even half as long as the large call takes (as it comes, one
    waits about as long)."""
    from bench import bench_load

    server = bench_load.Server("after", tmp_path)
    try:
        stall = bench_load.stall(server.port, 400_000)
    finally:
        server.close()
    assert stall["large_ok"] and stall["errors"] == 0
    assert stall["small_max"] < stall["large_s"] / 2, stall


def test_load_benchmark_runs(capsys):
    from bench import bench_load

    assert bench_load.main(["--clients", "2", "--seconds", "0.5", "--large-rows", "2000"]) == 0
    out = capsys.readouterr().out
    assert "\nbefore " in out and "\nafter " in out and "FAILED" not in out


# xlwings Server's "entraid" provider (Microsoft Entra ID single sign-on), with its documented
# override for air-gapped servers, a project's auth/entraid/jwks.py, serving a key set made here:
# the provider's own token checks (signature, version, audience, issuer, roles) run unchanged.
CLIENT_ID, TENANT_ID = "11111111-2222-3333-4444-555555555555", "66666666-7777-8888-9999-000000000000"
JWKS_MODULE = """\
import json
import os


async def get_jwks_json():
    return json.loads(os.environ["XLFUNCS_TEST_JWKS"])
"""


@pytest.fixture(scope="module")
def entraid(tmp_path_factory):
    import time

    from joserfc import jwt
    from joserfc.jwk import RSAKey

    key, stranger = (
        RSAKey.generate_key(2048, parameters={"kid": k}, private=True) for k in ("ours", "theirs")
    )

    def token(signer=key, roles=("analyst",), **claims):
        base = {
            "ver": "2.0",
            "aud": CLIENT_ID,
            "iss": f"https://login.microsoftonline.com/{TENANT_ID}/v2.0",
            "oid": "u1",
            "name": "Ana Lyst",
            "preferred_username": "ana@example.com",
            "roles": list(roles),
            "exp": int(time.time()) + 3600,
        }
        return "Bearer " + jwt.encode({"alg": "RS256", "kid": signer.kid}, {**base, **claims}, signer)

    project = make_project(tmp_path_factory.mktemp("xlfuncs-entraid-project"))
    (project / "auth" / "entraid").mkdir(parents=True)
    (project / "auth" / "__init__.py").write_text("")
    (project / "auth" / "entraid" / "__init__.py").write_text(
        "from xlwings_server.auth.entraid import *  # noqa: F403\n"
    )
    (project / "auth" / "entraid" / "jwks.py").write_text(JWKS_MODULE)
    headers = {
        "anonymous": None,
        "valid": token(),
        "signed by another key": token(signer=stranger),
        "another audience": token(aud="api://someone-else"),
        "another tenant": token(iss="https://login.microsoftonline.com/evil/v2.0"),
        "expired": token(exp=int(time.time()) - 60),
        "without the role": token(roles=()),
    }
    jobs = [
        {
            "label": label,
            "method": "POST",
            "path": CALL_URL,
            "json": GOOD,
            "headers": h and {"Authorization": h},
        }
        for label, h in headers.items()
    ]
    settings = {
        "XLWINGS_AUTH_PROVIDERS": '["entraid"]',
        "XLWINGS_AUTH_ENTRAID_CLIENT_ID": CLIENT_ID,
        "XLWINGS_AUTH_ENTRAID_TENANT_ID": TENANT_ID,
        "XLWINGS_AUTH_REQUIRED_ROLES": '["analyst"]',
        "XLFUNCS_TEST_JWKS": json.dumps({"keys": [key.as_dict(private=False)]}),
    }
    try:
        return run_server(project, {"app": "xlfuncs", "requests": jobs}, settings=settings)
    except RuntimeError as exc:
        pytest.fail(str(exc))


def test_entraid_accepts_a_valid_token_with_the_role(entraid):
    assert response(entraid, "valid")["json"] == {"result": [[100_000_000.0]]}


@pytest.mark.parametrize(
    "label", ["anonymous", "signed by another key", "another audience", "another tenant", "expired"]
)
def test_entraid_refuses_anonymous_and_bad_tokens(entraid, label):
    assert response(entraid, label, 401)["json"]["detail"].startswith("Auth error")


def test_entraid_required_role_missing_is_403(entraid):
    assert (
        "Missing roles for Ana Lyst: analyst" in response(entraid, "without the role", 403)["json"]["detail"]
    )
