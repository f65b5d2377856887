"""German function help in every runtime that can show it: the .oxt and the Office.js metadata."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from xlfuncs import REGISTRY, i18n
from xlfuncs.runtimes.libreoffice import addin, build, office

ROOT = Path(__file__).resolve().parents[2]
OOR = "{http://openoffice.org/2001/registry}"
LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def values(node, prop):
    """``{language: text}`` of one prop of an xcu node."""
    [found] = [p for p in node.findall("prop") if p.get(f"{OOR}name") == prop]
    return {v.get(LANG): v.text for v in found.findall("value")}


def check_xcu(xcu: bytes) -> None:
    root = ET.fromstring(xcu)
    functions = {
        n.get(f"{OOR}name"): n
        for n in root.iter("node")
        if any(c.get(f"{OOR}name") == "Parameters" for c in n.findall("node"))
    }
    assert set(functions) == {addin.method_name(s) for s in REGISTRY.values()}
    for spec in REGISTRY.values():
        node = functions[addin.method_name(spec)]
        summary, arguments = i18n.function_texts(spec, "de")
        assert values(node, "DisplayName") == {"en-US": spec.excel_name}  # the name users type: English only
        assert values(node, "Description") == {"en-US": spec.summary, "de": summary}
        parameters = {p.get(f"{OOR}name"): p for p in node.find("node").findall("node")}
        for a in spec.args:
            parameter = parameters[addin.parameter_name(a.name)]
            assert values(parameter, "DisplayName") == {"en-US": a.name}
            assert values(parameter, "Description") == {"en-US": a.doc, "de": arguments[a.name]}
            assert arguments[a.name] != a.doc


def test_the_xcu_describes_every_function_and_argument_in_german():
    check_xcu(build.calc_addins_xcu().encode())


@pytest.mark.skipif(
    office.unoidl_write() is None or not office.type_registries(), reason="needs LibreOffice's unoidl-write"
)
def test_the_built_oxt_holds_the_german_descriptions(tmp_path):
    with zipfile.ZipFile(build.build(tmp_path)) as oxt:
        check_xcu(oxt.read("CalcAddIns.xcu"))


def test_officejs_metadata_in_german_for_every_function(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("XLWINGS_")}
    subprocess.run(
        [sys.executable, "-m", "xlfuncs.runtimes.metadata", str(tmp_path), "https://addin.example/static"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    english = json.loads((tmp_path / "functions.json").read_text(encoding="utf-8"))
    german = json.loads((tmp_path / "functions-de.json").read_text(encoding="utf-8"))
    assert [f["id"] for f in german["functions"]] == [f["id"] for f in english["functions"]]
    assert {f["id"] for f in german["functions"]} == set(REGISTRY)
    for en, de in zip(english["functions"], german["functions"], strict=True):
        spec = REGISTRY[de["id"]]
        summary, arguments = i18n.function_texts(spec, "de")
        assert de["name"] == en["name"] == spec.excel_name
        assert (en["description"], de["description"]) == (spec.summary, summary)
        assert [p["name"] for p in de["parameters"]] == [p["name"] for p in en["parameters"]]
        assert [p["description"] for p in de["parameters"]] == [
            arguments[p["name"]] for p in de["parameters"]
        ]
        assert {k: v for k, v in de.items() if k not in ("description", "parameters")} == {
            k: v for k, v in en.items() if k not in ("description", "parameters")
        }
    manifest = ET.fromstring(
        (tmp_path / "manifest-overrides.xml").read_text().replace("bt:", "")
    )  # the element alone, without its namespace declaration
    assert manifest.get("DefaultValue") == "https://addin.example/static/functions.json"
    assert {(o.get("Locale"), o.get("Value")) for o in manifest} == {
        (locale, "https://addin.example/static/functions-de.json") for locale in ("de-DE", "de-AT", "de-CH")
    }
