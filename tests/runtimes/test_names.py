"""The name validator (xlfuncs.runtimes.names): the real registry passes, every rule bites."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import pytest

from xlfuncs import REGISTRY
from xlfuncs.runtimes import names


def spec(excel_name, *args):
    """A fake FunctionSpec: only the names matter to the validator."""
    return SimpleNamespace(excel_name=excel_name, args=tuple(SimpleNamespace(name=a) for a in args))


def problems_of(*specs):
    return names.problems(specs)


def test_real_registry_has_no_problems():
    assert names.problems() == []
    assert names.problems(REGISTRY.values()) == []


def test_data_sources_are_loaded():
    counts = names.sources()
    assert counts["VBA reserved words"] > 150
    assert counts["Excel built-in functions"] > 450  # FORMULAE (~355) + XlsxWriter's future functions
    assert counts["xlwings VBA names"] > 100


def test_builtins_combine_openpyxl_and_xlsxwriter_without_prefixes():
    builtins = names.builtin_functions()
    assert {"NPV", "PV", "FV", "IRR", "RATE", "PMT", "SUM"} <= builtins  # openpyxl FORMULAE
    assert {"XLOOKUP", "LET", "LAMBDA", "FILTER", "SORT", "TEXTJOIN"} <= builtins  # XlsxWriter _xlfn.
    assert not any(n.startswith("_") for n in builtins)


def test_builtins_fall_back_to_formulae_without_xlsxwriter(monkeypatch):
    from openpyxl.utils import FORMULAE

    names.builtin_functions.cache_clear()
    try:
        with monkeypatch.context() as m:
            m.setitem(sys.modules, "xlsxwriter.worksheet", None)  # import raises ImportError
            assert names.builtin_functions() == frozenset(f.upper() for f in FORMULAE)
    finally:
        names.builtin_functions.cache_clear()
    assert "XLOOKUP" in names.builtin_functions()


def test_xlwings_vba_names_come_from_the_installed_bas_files():
    vba = names.xlwings_vba_names()
    for name in (
        "RunPython",
        "GetConfig",
        "XLPy",
        "KillPy",
        "NDims",
        "ImportPythonUDFs",
        "ImportPythonUDFsToAddin",
        "ShowError",
        "ReadFile",
        "FileExists",
        "ParentFolder",
        "WScript",
        "sql",
        "has_dynamic_array",
        "XLPyDLLVersion",
        "XLWINGS_VERSION",
        "Main",
    ):
        assert name.upper() in vba, name
    assert "AUTO_DISMISS" not in vba  # a Const local to a procedure is not a public name


def test_vba_names_parser():
    text = "\r\n".join(
        [
            'Attribute VB_Name = "Mod1"',
            "#If VBA7 Then",
            '    Private Declare PtrSafe Function LibFn Lib "x.dll" (ByVal a As Long) As Long',
            "#End If",
            'Public Const PUBLIC_CONST As String = "x"',
            "Public SomeVar As Boolean",
            "Private Type MyType",
            "    member As Long",
            "End Type",
            "Function Visible(x)",
            "    Const LOCAL_CONST = 1",
            "    Dim localVar",
            "End Function",
            "Private Sub Hidden()",
            "End Sub",
            "' Function Commented()",
        ]
    )
    assert names.vba_names(text) == {
        "Mod1",
        "LibFn",
        "PUBLIC_CONST",
        "SomeVar",
        "MyType",
        "Visible",
        "Hidden",
    }
    cls = 'VERSION 1.0 CLASS\r\nAttribute VB_Name = "Klass"\r\nPublic Function Member()\r\nEnd Function'
    assert names.vba_names(cls) == {"Klass"}


@pytest.mark.parametrize(
    "name, style",
    [
        ("EV1", "A1"),
        ("ABC123", "A1"),
        ("A1", "A1"),
        ("xfd1048576", "A1"),
        ("XFD1048576", "A1"),
        ("R", "R1C1"),
        ("C", "R1C1"),
        ("RC", "R1C1"),
        ("R1C1", "R1C1"),
        ("R1C", "R1C1"),
        ("r1c1", "R1C1"),
        ("R2", "A1"),
        ("C3", "A1"),
        ("RC1", "A1"),
        ("XFE1", None),
        ("XFD1048577", None),
        ("ABCD1", None),
        ("EV", None),
        ("FDV", None),
        ("MCAP2024", None),
        ("RC2D", None),
        ("R1C1X", None),
    ],
)
def test_cell_reference(name, style):
    assert names.cell_reference(name) == style


def test_bad_specs_report_each_rule():
    found = problems_of(
        spec("EV1", "currency", "Ev1", "k", "caller", "argsArray", "Application", "xlpy"),
        spec("_hidden", "x"),
        spec("NPV", "rate"),
        spec("RunPython", "x"),
        spec("R1C1", "x"),
        spec("XFD1048576", "x"),
        spec("ev1", "x"),
        spec("DUPARGS", "debt", "Debt", "npv"),
        spec("EV.X", "Step", "NAME", "préix"),
        spec("Application", "x"),
    )
    expected = [
        "EV1: function name looks like a cell reference (A1 style)",
        "EV1: argument 'currency' is a VBA reserved word",
        "EV1: argument 'Ev1' has the name of function EV1",
        "EV1: argument 'k' is used inside the generated VBA wrapper",
        "EV1: argument 'caller' is reserved",
        "EV1: argument 'argsArray' is used inside the generated VBA wrapper",
        "EV1: argument 'Application' is used inside the generated VBA wrapper",
        "EV1: argument 'Application' has the name of function Application",
        "EV1: argument 'xlpy' is used inside the generated VBA wrapper",
        "_hidden: function name is not a VBA identifier",
        "NPV: function name is an Excel built-in function",
        "RunPython: function name clashes with a name in xlwings' own VBA",
        "R1C1: function name looks like a cell reference (R1C1 style)",
        "XFD1048576: function name looks like a cell reference (A1 style)",
        "ev1: function name looks like a cell reference (A1 style)",
        "ev1: function name duplicates function EV1",
        "DUPARGS: argument 'Debt' duplicates argument 'debt'",
        "DUPARGS: argument 'npv' has the name of function NPV",
        "EV.X: function name is not a VBA identifier",
        "EV.X: argument 'Step' is a VBA reserved word",
        "EV.X: argument 'NAME' is a VBA reserved word",
        "EV.X: argument 'préix' is not a VBA identifier",
        "Application: function name is used inside the generated VBA wrapper",
    ]
    for text in expected:
        assert any(p.startswith(text) for p in found), f"{text!r} not in {found}"
    assert len(found) == len(expected), found  # nothing else is reported
    # an argument named like a built-in is fine ('rate' in NPV): only function names clash
    assert not any("'rate'" in p for p in found)


def test_problem_strings_say_what_and_why():
    [problem] = problems_of(spec("EV1", "x"))
    assert problem == (
        "EV1: function name looks like a cell reference (A1 style); Excel reads it as a reference"
    )


def test_reserved_words_are_case_insensitive():
    for word in (
        "currency",
        "CURRENCY",
        "Date",
        "string",
        "step",
        "error",
        "property",
        "time",
        "mid",
        "binary",
        "name",
        "lineinput",
    ):
        assert problems_of(spec("GOODNAME", word)) == [
            f"GOODNAME: argument {word!r} is a VBA reserved word (Import Functions fails)"
        ], word


def test_length_limits():
    assert problems_of(spec("F" * 128, "a" * 128)) == []
    [fn, arg] = problems_of(spec("F" * 129, "a" * 256))
    assert fn.endswith("is longer than 128 characters (Office.js limit)")
    assert arg.endswith("is longer than 255 characters (VBA limit)")


def test_good_fake_specs_pass():
    assert (
        problems_of(
            spec("XFE1", "x"),
            spec("MCAP2024", "price", "shares"),
            spec("RC2D", "value"),
            spec("ABCD1", "rate"),
        )
        == []
    )
