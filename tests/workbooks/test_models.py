"""valuation_bridge and universe_screen: the analysts' blocks hold values computed here by hand."""

from __future__ import annotations

import html
import re
import statistics
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from xlfuncs.workbooks.universe_book import universe_rows

WORKBOOKS = Path(__file__).resolve().parents[2] / "workbooks"
M = 1e6


@pytest.fixture(scope="module")
def bridge():
    return openpyxl.load_workbook(WORKBOOKS / "valuation_bridge.xlsx", data_only=True)


def _row(ws, label: str, col: str = "G") -> int:
    return next(c.row for c in ws[col] if c.value == label)


# Example Corp by hand: price 50, 200m shares, debt 1,500m, cash 800m, preferred 100m, minority 50m,
# investments 200m; options 6m @ 30 and 4m @ 55, warrants 3m @ 45, RSUs 2.5m; a 300m convertible at $40.
def _fd_shares(price: float, method: str) -> float:
    tranches = [(6 * M, 30), (4 * M, 55), (3 * M, 45), (2.5 * M, 0)]
    added = 0.0
    for count, strike in tranches:
        if method == "all" or strike < price:
            added += count * ((price - strike) / price if method == "tsm" else 1)
    return 200 * M + added + (300 * M / 40 if method == "all" or price > 40 else 0)  # "all": every instrument


def _equity(price: float, method: str) -> float:
    """What the FD shares are worth net of what exercising and converting brings in: price × FD shares,
    less exercise proceeds (gross, all) and the converted principal (it leaves debt for equity)."""
    tranches = [(6 * M, 30), (4 * M, 55), (3 * M, 45), (2.5 * M, 0)]
    proceeds = sum(c * k for c, k in tranches if method == "all" or k < price) if method != "tsm" else 0
    converted = 300 * M if method == "all" or price > 40 else 0
    return price * _fd_shares(price, method) - proceeds - converted


def test_signed_bridge_sums_to_fd_ev_for_every_method(bridge):
    ws = bridge["Valuation bridge"]
    proceeds = {"gross": 6 * M * 30 + 3 * M * 45, "tsm": 0, "all": 6 * M * 30 + 4 * M * 55 + 3 * M * 45}
    for col, method in zip("HIJ", ("gross", "tsm", "all"), strict=True):
        fd_mcap = 50 * _fd_shares(50, method)
        steps = [fd_mcap, 1500 * M, -300 * M, 100 * M, 50 * M]
        claims = sum(steps)
        fd_ev = claims - 800 * M - proceeds[method] - 200 * M
        got = [
            ws[f"{col}{r}"].value
            for r in range(_row(ws, "FD equity value (FD market cap)"), _row(ws, "= FD enterprise value") + 1)
        ]
        assert got == pytest.approx([*steps, claims, -800 * M, -proceeds[method], -200 * M, fd_ev])
        assert ws[f"{col}{_row(ws, 'Check: equals FDEV above')}"].value == "OK"
        assert ws[f"{col}{_row(ws, 'FD EV per FD share')}"].value == pytest.approx(
            fd_ev / _fd_shares(50, method)
        )
    assert ws["H4"].value == "gross"  # the method cells are dropdowns
    with zipfile.ZipFile(WORKBOOKS / "valuation_bridge.xlsx") as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert re.search(
        r'<dataValidation type="list"[^>]*sqref="H4:J4"><formula1>"gross,tsm,all"</formula1>', sheet
    )


def test_tranche_schedule_under_the_treasury_stock_method(bridge):
    ws = bridge["Tranche schedule"]
    rows = {ws[f"A{r}"].value: [ws.cell(r, c).value for c in range(2, 9)] for r in range(5, 9)}
    # repurchased = count × strike / price; net new = count − repurchased
    assert rows["Options (2019 grant)"] == pytest.approx([6 * M, 30, True, 6 * M, 180 * M, 3.6 * M, 2.4 * M])
    assert rows["Options (2022 grant)"] == pytest.approx([4 * M, 55, False, 0, 0, 0, 0])
    assert rows["Warrants"] == pytest.approx([3 * M, 45, True, 3 * M, 135 * M, 2.7 * M, 0.3 * M])
    assert rows["RSUs"] == pytest.approx([2.5 * M, 0, True, 2.5 * M, 0, 0, 2.5 * M])
    for r in (9, 10):  # the two empty rows of the tranche table stay blank: no 0, $0.00 or "yes"
        assert [ws.cell(r, c).value for c in range(1, 9)] == [None] * 8
    convertible = _row(ws, "Convertible bond", "A")
    assert ws[f"E{convertible}"].value == pytest.approx(300 * M / 40)
    assert ws[f"H{_row(ws, 'Net new shares, all instruments', 'A')}"].value == pytest.approx(
        _fd_shares(50, "tsm") - 200 * M
    )


def test_price_sensitivity_grid(bridge):
    ws = bridge["Price sensitivity"]
    for r in range(6, 15):
        price = ws[f"B{r}"].value
        assert price == pytest.approx(50 * (1 + ws[f"A{r}"].value))
        for i, method in enumerate(("gross", "tsm", "all")):
            shares = _fd_shares(price, method)
            assert ws.cell(r, 3 + i).value == pytest.approx(shares)
            assert ws.cell(r, 6 + i).value == pytest.approx(shares / (200 * M) - 1)
            assert ws.cell(r, 9 + i).value == pytest.approx(price * shares)
            # implied price: p whose FD equity is the basic market cap at this price, by bisection
            target, lo, hi = price * 200 * M, 0.01, 10 * price
            for _ in range(200):
                mid = (lo + hi) / 2
                lo, hi = (mid, hi) if _equity(mid, method) < target else (lo, mid)
            assert ws.cell(r, 15 + i).value == pytest.approx(lo, rel=1e-9)
    assert [ws[f"A{r}"].value for r in range(6, 15)] == pytest.approx([x / 10 for x in range(-4, 5)])


def test_waterfall_shows_totals_rises_and_falls_apart_with_their_values(bridge):
    """Stacked bars on an invisible base: totals, rises and falls in three colours, each bar labelled."""
    fd_mcap, debt, converted, preferred, minority = (
        50 * _fd_shares(50, "gross"),
        1500 * M,
        300 * M,
        100 * M,
        50 * M,
    )
    claims = fd_mcap + debt - converted + preferred + minority
    proceeds = 6 * M * 30 + 3 * M * 45
    fd_ev = claims - 800 * M - proceeds - 200 * M
    # (base, total, rise, fall) of each bar, by hand
    expected = [
        (0, fd_mcap, 0, 0),
        (fd_mcap, 0, debt, 0),
        (fd_mcap + debt - converted, 0, 0, converted),
        (fd_mcap + debt - converted, 0, preferred, 0),
        (claims - minority, 0, minority, 0),
        (0, claims, 0, 0),
        (claims - 800 * M, 0, 0, 800 * M),
        (claims - 800 * M - proceeds, 0, 0, proceeds),
        (fd_ev, 0, 0, 200 * M),
        (0, fd_ev, 0, 0),
    ]
    ws = bridge["Valuation bridge"]
    top = _row(ws, "Waterfall data (first method)")
    assert [ws.cell(top, c).value for c in range(8, 13)] == ["Base", "Totals", "Rises", "Falls", "Level"]
    got = [tuple(ws.cell(top + 1 + k, c).value for c in range(8, 12)) for k in range(len(expected))]
    assert got == [pytest.approx(bar) for bar in expected]
    with zipfile.ZipFile(WORKBOOKS / "valuation_bridge.xlsx") as z:
        charts = [z.read(n).decode() for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
    (chart,) = [c for c in charts if "<c:barChart>" in c]
    assert '<c:barDir val="bar"/><c:grouping val="stacked"/>' in chart
    series = re.findall(r"<c:ser>(.*?)</c:ser>", chart)
    assert [re.search(r"<c:tx><c:v>(.*?)</c:v>", s).group(1) for s in series] == [
        "Base",
        "Totals",
        "Rises",
        "Falls",
    ]
    assert "<c:spPr><a:noFill/>" in series[0]  # the base is invisible
    assert "<c:dLbls>" not in series[0]
    colours = [re.search(r'<c:spPr><a:solidFill><a:srgbClr val="(\w+)"/>', s).group(1) for s in series[1:]]
    assert len(set(colours)) == 3
    for s in series[1:]:  # each bar shows its value; a zero (the other series' rows) shows nothing
        labels = re.search(r"<c:dLbls>(.*?)</c:dLbls>", s).group(1)
        assert '<c:showVal val="1"/>' in labels
        code = html.unescape(re.search(r'<c:numFmt formatCode="([^"]*)"', labels).group(1))
        assert re.sub(r'"[^"]*"', "", code).split(";")[2] == "", code  # the zero section is empty
    assert "<c:legend>" not in chart  # no "Base" in a legend: the labels' signs say what each bar is
    assert '<c:orientation val="maxMin"/>' in chart  # the first step on top


@pytest.mark.parametrize(
    ("name", "kinds"),
    [
        ("article_examples.xlsx", ["scatterChart", "scatterChart"]),
        ("valuation_bridge.xlsx", ["barChart", "scatterChart", "scatterChart"]),
        ("universe_screen.xlsx", ["barChart", "scatterChart"]),
    ],
)
def test_every_workbook_has_its_native_charts(name, kinds):
    with zipfile.ZipFile(WORKBOOKS / name) as z:
        charts = sorted(n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
        found = [re.search(r"<c:(\w+Chart)>", z.read(n).decode()).group(1) for n in charts]
    assert sorted(found) == sorted(kinds)


def _classes(mcap: float) -> str:  # the standard size classes, as the article sheet states them
    for bound, name in ((200e9, "Mega"), (10e9, "Large"), (2e9, "Mid"), (300e6, "Small"), (50e6, "Micro")):
        if mcap >= bound:
            return name
    return "Nano"


def test_screen_and_summary_by_hand():
    wb = openpyxl.load_workbook(WORKBOOKS / "universe_screen.xlsx", data_only=True)
    companies = []
    for ticker, price, shares, debt, cash, ebitda in universe_rows(2000):
        mcap = price * shares
        multiple = (mcap + debt - cash) / ebitda if ebitda > 0 else None
        companies.append((ticker, mcap, _classes(mcap), multiple))
    passing = sorted(
        (
            c
            for c in companies
            if c[1] >= 1e9 and c[2] in {"Large", "Mid", "Small"} and c[3] is not None and c[3] <= 15
        ),
        key=lambda c: -c[1],
    )
    screen = wb["Screen"]
    assert screen["B15"].value == len(passing) > 20
    top = [(screen[f"E{r}"].value, screen[f"F{r}"].value) for r in range(21, 41)]
    assert [t for t, _ in top] == [c[0] for c in passing[:20]]
    assert [v for _, v in top] == pytest.approx([c[1] for c in passing[:20]])
    spilled = [screen[f"L{r}"].value for r in range(4, 4 + len(passing) + 1)]  # SORT(FILTER(...))
    assert spilled == [c[0] for c in passing] + [None]
    assert [screen[f"R{r}"].value for r in range(4, 4 + len(passing))] == pytest.approx(
        [c[1] for c in passing]
    )
    summary = wb["Summary"]
    for r in range(5, 11):
        name = summary[f"A{r}"].value
        caps = [c[1] for c in companies if c[2] == name]
        multiples = [c[3] for c in companies if c[2] == name and c[3] is not None]
        assert summary[f"B{r}"].value == len(caps)
        if caps:
            assert summary[f"E{r}"].value == pytest.approx(statistics.median(caps))
            assert summary[f"F{r}"].value == pytest.approx(statistics.mean(caps))
        if multiples:
            assert summary[f"G{r}"].value == pytest.approx(statistics.median(multiples))
            assert summary[f"H{r}"].value == pytest.approx(statistics.mean(multiples))
        assert summary[f"I{r}"].value == sum(1 for c in companies if c[2] == name and c[3] is None)
    assert summary["B11"].value == 2000


def test_rows_option_sizes_the_universe_without_padding(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "xlfuncs.cli", "workbooks", str(tmp_path), "--rows", "300"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    wb = openpyxl.load_workbook(tmp_path / "universe_screen.xlsx", data_only=True)
    ws = wb["Universe"]
    assert ws["A304"].value == "SYN00300" and ws["A305"].value is None
    assert [ws.cell(304, c).value is not None for c in range(7, 11)] == [True] * 4
    assert all(ws.cell(305, c).value is None for c in range(7, 11))  # no #N/A padding below the data
    assert wb["Summary"]["B11"].value == 300
    bad = subprocess.run(
        [sys.executable, "-m", "xlfuncs.cli", "workbooks", str(tmp_path / "x"), "--rows", "0"],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and bad.stderr.strip().startswith("xlfuncs workbooks: error: rows must be")
