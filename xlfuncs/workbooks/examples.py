"""Every worked example of the two source articles, as data.

Article 1: "Was ist Marktkapitalisierung?" (InvestingPro, German), on market cap,
EV, fully diluted and free-float market cap, crypto supply, issuance and
buybacks.  Article 2: Michel Bourgon (DPAM), "Small Caps" (German,
2026-03-06), on small caps against the S&P 500 and Nvidia's IPO.

Each :class:`Example` holds the quoted passage, its inputs and its figures.  A
figure is an Excel formula using our functions (or Excel's own ``RRI`` where
the article needs a growth rate), cross-checked by a native Excel formula for
any input, and compared with ``expected`` while the inputs are the article's
own: the article's figure where it states one, otherwise a figure computed by
hand from the article's inputs, and where the article is wrong, the correct
figure (``Example.verdict`` says so in plain words).  The demo, the template
workbooks and the tests all read this module.

Labels and verdicts that quote numbers are templates: ``[[expr|fmt]]`` is an
Excel expression (``{name}`` an input or figure) shown through ``TEXT`` in the
format ``fmt`` (see :data:`xlfuncs.workbooks.style.TEXT_FORMATS`), ``[[expr]]``
an expression giving text; the workbook writes them as formulas, so they follow
the inputs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

ARTICLE_1 = 'InvestingPro (de), "Was ist Marktkapitalisierung?"'
ARTICLE_2 = 'Michel Bourgon (DPAM), "Small Caps", 2026-03-06'
CENT = 0.005  # "to the cent"
RATE = 5e-7  # rates and ratios: to 0.00005 percentage points
NO_FIGURE = "no figure; hand-computed from the inputs"


class Link(NamedTuple):
    """A cell that takes its value from another example sheet: an input or a figure there."""

    sheet: str
    name: str


class Growth(NamedTuple):
    """A chart of ``start`` compounding over ``years`` at each series' annual rate (all names)."""

    start: str
    years: str
    series: tuple[tuple[str, str], ...]  # (series label, annual rate figure)


@dataclass(frozen=True, kw_only=True)
class Input:
    name: str
    label: str
    value: object  # number, date, or a tuple for a range (one cell per element)
    fmt: str = "usd"
    rows: tuple[str, ...] = ()  # labels of the cells of a range input
    upto: str = ""  # valid values are below this other input (e.g. shares held below shares outstanding)
    links: tuple[Link | None, ...] = ()  # per cell: where its value comes from, or None (typed in)


@dataclass(frozen=True, kw_only=True)
class Figure:
    name: str
    label: str  # may hold [[...]] templates
    ours: str | None  # formula with our functions ({name}: an input or our figure); None: native only
    native: str  # cross-check with native Excel functions only ({name}: an input or a native figure)
    expected: object  # a number, a text, or a tuple for a spilled range
    fmt: str = "usd"
    tol: float = CENT
    article: str = NO_FIGURE  # what the article says, in its words


@dataclass(frozen=True, kw_only=True)
class Example:
    sheet: str
    title: str
    source: str
    illustrative: bool = False  # inputs are made up because the article gives none
    quote: str
    summary: str
    inputs: tuple[Input, ...]
    figures: tuple[Figure, ...]
    verdict: str = ""  # where the article's arithmetic or conclusion does not hold ([[...]] templates)
    growth: Growth | None = None


EXAMPLES: tuple[Example, ...] = (
    Example(
        sheet="1 Market cap",
        title="Market cap of 1 million shares at $100",
        source=ARTICLE_1,
        quote=(
            "Hast du beispielsweise 1 Million Aktien à 100 US-Dollar, kommst du auf eine "
            "Marktkapitalisierung von 100 Millionen US-Dollar."
        ),
        summary="1 million shares at $100 give a market cap of $100 million.",
        inputs=(
            Input(name="price", label="Share price ($)", value=100),
            Input(name="shares", label="Shares outstanding", value=1_000_000, fmt="count"),
        ),
        figures=(
            Figure(
                name="mcap",
                label="Market cap",
                ours="MARKETCAP({price},{shares})",
                native="{price}*{shares}",
                expected=100_000_000,
                article="100 Millionen US-Dollar",
            ),
        ),
    ),
    Example(
        sheet="2 Price vs size",
        title="A $3 share with five times the shares versus a $30 share",
        source=ARTICLE_1,
        quote=(
            "Eine Firma kann zum Beispiel einen Aktienkurs von 3 US-Dollar haben, aber fünfmal so viele "
            "Aktien im Umlauf wie ein Konkurrent mit 30 US-Dollar pro Aktie. Wer ist größer? Richtig, "
            "der mit mehr ausstehenden Aktien und damit oft höherer Marktkapitalisierung."
        ),
        summary="Company A trades at $3 with five times the shares of B at $30; the article says A is bigger.",
        inputs=(
            Input(name="price_a", label="A: share price ($)", value=3),
            Input(name="times", label="A has this many times B's shares", value=5, fmt="number"),
            Input(name="price_b", label="B: share price ($)", value=30),
            Input(name="shares_b", label="B: shares (illustrative)", value=10_000_000, fmt="count"),
        ),
        figures=(
            Figure(
                name="shares_a",
                label="A: shares ([[{times}|n]] × B's)",
                ours=None,
                native="{times}*{shares_b}",
                expected=50_000_000,
                fmt="count",
                tol=1e-6,
            ),
            Figure(
                name="mcap_a",
                label="A: market cap",
                ours="MARKETCAP({price_a},{shares_a})",
                native="{price_a}*{shares_a}",
                expected=150_000_000,
            ),
            Figure(
                name="mcap_b",
                label="B: market cap",
                ours="MARKETCAP({price_b},{shares_b})",
                native="{price_b}*{shares_b}",
                expected=300_000_000,
            ),
            Figure(
                name="ratio",
                label="A's market cap as a multiple of B's",
                ours="MULTIPLE({mcap_a},{mcap_b})",
                native="{mcap_a}/{mcap_b}",
                expected=0.5,
                fmt="x",
                tol=RATE,
                article='A ist größer ("der mit mehr ausstehenden Aktien")',
            ),
            Figure(
                name="breakeven",
                label="Share multiple A needs to match B",
                ours="MULTIPLE({price_b},{price_a})",
                native="{price_b}/{price_a}",
                expected=10,
                fmt="x",
                tol=RATE,
            ),
        ),
        verdict=(
            '[[IF({mcap_a}>{mcap_b},"With these inputs the article\'s answer holds","The article\'s answer '
            'does not hold")]]: [[{times}|n]] times the shares at [[{price_a}|usd]] against '
            "[[{price_b}|usd]] is [[{ratio}|x2]] B's market cap ([[{mcap_a}|m]] against [[{mcap_b}|m]]). "
            "A is bigger only with more than [[{breakeven}|x2]] B's shares."
        ),
    ),
    Example(
        sheet="3 Coin supply",
        title="A coin at $0.10 with 50 billion coins",
        source=ARTICLE_1,
        quote=(
            "Ein Coin kann bei 0,10 US-Dollar stehen und sieht nach einem Schnäppchen aus. Aber was, "
            "wenn davon 50 Milliarden Stück existieren? Dann kann die Market Cap plötzlich in Bereiche "
            "vorstoßen, die kaum durch das eigentliche Use Case gedeckt sind."
        ),
        summary="A $0.10 coin with 50 billion coins in circulation is a $5 billion asset.",
        inputs=(
            Input(name="price", label="Coin price ($)", value=0.1),
            Input(name="supply", label="Coins in circulation", value=50_000_000_000, fmt="count"),
        ),
        figures=(
            Figure(
                name="mcap",
                label="Market cap",
                ours="MARKETCAP({price},{supply})",
                native="{price}*{supply}",
                expected=5_000_000_000,
            ),
            Figure(
                name="size",
                label="Size class",
                ours="MCAPCLASS({mcap})",
                native=(
                    'IF({mcap}>=200000000000,"Mega",IF({mcap}>=10000000000,"Large",'
                    'IF({mcap}>=2000000000,"Mid",IF({mcap}>=300000000,"Small",'
                    'IF({mcap}>=50000000,"Micro","Nano")))))'
                ),
                expected="Mid",
                fmt="text",
            ),
        ),
    ),
    Example(
        sheet="4 Bitcoin FDV",
        title="Bitcoin: circulating supply versus the 21 million maximum",
        source=ARTICLE_1,
        illustrative=True,
        quote=(
            "Jedoch kann die „Circulating Supply“ von der maximal möglichen Menge abweichen. Bei Bitcoin "
            "(BTC) liegt das Maximum bei 21 Millionen, von denen aber noch nicht alle geschürft wurden. "
            "Wichtig ist, dass man die tatsächlich umlaufende Anzahl nimmt, sonst kann man sich ganz "
            "schön in die Irre führen."
        ),
        summary="Market cap uses the coins in circulation; the fully diluted valuation uses all 21 million.",
        inputs=(
            Input(name="price", label="BTC price ($, illustrative)", value=60_000),
            Input(
                name="circulating",
                label="Circulating supply (illustrative)",
                value=19_900_000,
                fmt="count",
                upto="max_supply",
            ),
            Input(name="max_supply", label="Maximum supply", value=21_000_000, fmt="count"),
        ),
        figures=(
            Figure(
                name="mcap",
                label="Market cap (circulating)",
                ours="MARKETCAP({price},{circulating})",
                native="{price}*{circulating}",
                expected=1_194_000_000_000,
            ),
            Figure(
                name="fdv",
                label="Fully diluted valuation",
                ours="FDV({price},{max_supply})",
                native="{price}*{max_supply}",
                expected=1_260_000_000_000,
            ),
            Figure(
                name="mined",
                label="Share of the maximum in circulation",
                ours="OWNERSHIP({circulating},{max_supply})",
                native="{circulating}/{max_supply}",
                expected=19.9 / 21,
                fmt="pct",
                tol=RATE,
            ),
        ),
    ),
    Example(
        sheet="5 ABC EV",
        title="ABC Corporation's enterprise value",
        source=ARTICLE_1,
        quote=(
            "ABC Corporation – Market Cap: 1 Milliarde US-Dollar – Schulden: 500 Millionen US-Dollar – "
            "Cash auf dem Konto: 100 Millionen US-Dollar. Dann haben wir: Enterprise Value = 1 Milliarde "
            "+ 500 Millionen – 100 Millionen = 1,4 Milliarden US-Dollar. Also liegt der EV 400 Millionen "
            "höher als die Market Cap."
        ),
        summary="Market cap $1bn plus debt $500m less cash $100m: EV $1.4bn, $400m above the market cap.",
        inputs=(
            Input(name="mcap", label="Market cap ($)", value=1_000_000_000),
            Input(name="debt", label="Debt ($)", value=500_000_000),
            Input(name="cash", label="Cash ($)", value=100_000_000),
        ),
        figures=(
            Figure(
                name="ev",
                label="Enterprise value",
                ours="EV({mcap},{debt},{cash})",
                native="{mcap}+{debt}-{cash}",
                expected=1_400_000_000,
                article="1,4 Milliarden US-Dollar",
            ),
            Figure(
                name="gap",
                label="EV above market cap",
                ours="{ev}-{mcap}",
                native="{ev}-{mcap}",
                expected=400_000_000,
                article="400 Millionen",
            ),
        ),
    ),
    Example(
        sheet="6 Net cash",
        title="Net cash: EV below the market cap, and negative EV",
        source=ARTICLE_1,
        illustrative=True,
        quote=(
            "Bei einigen Unternehmen ist es umgekehrt – sie haben mehr Cash als Schulden, also Net Cash. "
            "Dann kann der Enterprise Value sogar unter der Market Cap liegen. In extrem seltenen Fällen "
            "kommt man zu einer negativen Zahl, […] wenn das Unternehmen mehr Bargeld hält, als die "
            "gesamte Börsenbewertung hergibt."
        ),
        summary="With net cash EV is below the market cap; it turns negative when cash is large enough.",
        inputs=(
            Input(name="mcap_a", label="A: market cap ($)", value=500_000_000),
            Input(name="debt_a", label="A: debt ($)", value=50_000_000),
            Input(name="cash_a", label="A: cash ($)", value=200_000_000),
            Input(name="mcap_b", label="B: market cap ($)", value=200_000_000),
            Input(name="debt_b", label="B: debt ($)", value=10_000_000),
            Input(name="cash_b", label="B: cash ($)", value=250_000_000),
            Input(name="mcap_c", label="C: market cap ($)", value=200_000_000),
            Input(name="debt_c", label="C: debt ($)", value=100_000_000),
            Input(name="cash_c", label="C: cash ($)", value=250_000_000),
        ),
        figures=(
            Figure(
                name="ev_a",
                label="A: EV",
                ours="EV({mcap_a},{debt_a},{cash_a})",
                native="{mcap_a}+{debt_a}-{cash_a}",
                expected=350_000_000,
            ),
            Figure(
                name="ev_b",
                label="B: EV",
                ours="EV({mcap_b},{debt_b},{cash_b})",
                native="{mcap_b}+{debt_b}-{cash_b}",
                expected=-40_000_000,
            ),
            Figure(
                name="ev_c",
                label="C: EV",
                ours="EV({mcap_c},{debt_c},{cash_c})",
                native="{mcap_c}+{debt_c}-{cash_c}",
                expected=50_000_000,
                article="negativ, wenn mehr Bargeld als Börsenbewertung",
            ),
        ),
        verdict=(
            "The article's condition is incomplete: cash above the market cap is not enough. EV < 0 "
            "exactly when cash > market cap + debt. B: cash [[{cash_b}|m]] against market cap + debt "
            "[[{mcap_b}+{debt_b}|m]] gives EV [[{ev_b}|m]]; C: cash [[{cash_c}|m]] against market cap "
            "[[{mcap_c}|m]] + debt [[{debt_c}|m]] = [[{mcap_c}+{debt_c}|m]] gives EV [[{ev_c}|m]]."
        ),
    ),
    Example(
        sheet="7 FD market cap",
        title="Fully diluted market cap: 50m shares plus 20m options and warrants",
        source=ARTICLE_1,
        quote=(
            "Sagen wir, ein Unternehmen hat 50 Millionen Aktien zu 10 US-Dollar, also 500 Millionen "
            "US-Dollar Market Cap. Jetzt existieren aber 10 Millionen Optionen und 10 Millionen "
            "Warrants, beide sind „in the money“. Würden alle ausgeübt, erhöht sich die Aktienanzahl auf "
            "70 Millionen. Bei gleichem Kurs wäre die Fully-Diluted Market Cap 700 Millionen US-Dollar."
        ),
        summary="50m shares at $10 plus 10m options and 10m warrants in the money: 70m shares, $700m.",
        inputs=(
            Input(name="price", label="Share price ($)", value=10),
            Input(name="shares", label="Basic shares", value=50_000_000, fmt="count"),
            Input(
                name="counts",
                label="Instruments (in the money; strike not given)",
                value=(10_000_000, 10_000_000),
                fmt="count",
                rows=(
                    "Options",
                    "Warrants",
                ),
            ),
        ),
        figures=(
            Figure(
                name="mcap",
                label="Market cap",
                ours="MARKETCAP({price},{shares})",
                native="{price}*{shares}",
                expected=500_000_000,
                article="500 Millionen US-Dollar",
            ),
            Figure(
                name="fd_shares",
                label="Fully diluted shares",
                ours="FDSHARES({price},{shares},{counts})",
                native="{shares}+SUM({counts})",
                expected=70_000_000,
                fmt="count",
                article="70 Millionen",
            ),
            Figure(
                name="fd_mcap",
                label="Fully diluted market cap",
                ours="FDMCAP({price},{shares},{counts})",
                native="{price}*({shares}+SUM({counts}))",
                expected=700_000_000,
                article="700 Millionen US-Dollar",
            ),
        ),
    ),
    Example(
        sheet="8 XYZ FD EV",
        title="XYZ: fully diluted EV with exercise proceeds, gross and treasury stock method",
        source=ARTICLE_1,
        quote=(
            "Aktuelle Market Cap: 500 Millionen US-Dollar (50 Mio. Aktien × 10 US-Dollar/Aktie) – Cash: "
            "100 Millionen US-Dollar, Schulden: 0 US-Dollar → EV = 400 Millionen – 20 Millionen "
            "Optionen/Warrants (jeweils 10 Mio. Stück) mit Strike 5 US-Dollar […] – Fully-Diluted Market "
            "Cap: 70 Millionen Aktien × 10 US-Dollar = 700 Millionen US-Dollar – Zusätzlicher "
            "Cash-Zufluss: 20 Millionen Optionen/Warrants × 5 US-Dollar = 100 Millionen US-Dollar → "
            "Neuer Cash-Bestand = 200 Millionen US-Dollar – Fully-Diluted EV = 700 Millionen – 200 "
            "Millionen = 500 Millionen US-Dollar"
        ),
        summary=(
            "XYZ: FD EV is $500m both ways; the treasury stock method gives a $600m FD market cap "
            "instead of $700m."
        ),
        inputs=(
            Input(name="price", label="Share price ($)", value=10),
            Input(name="shares", label="Basic shares", value=50_000_000, fmt="count"),
            Input(name="debt", label="Debt ($)", value=0),
            Input(name="cash", label="Cash ($)", value=100_000_000),
            Input(
                name="counts",
                label="Instruments",
                value=(10_000_000, 10_000_000),
                fmt="count",
                rows=(
                    "Options",
                    "Warrants",
                ),
            ),
            Input(
                name="strikes",
                label="Strike ($)",
                value=(5, 5),
                rows=(
                    "Options",
                    "Warrants",
                ),
            ),
        ),
        figures=(
            Figure(
                name="ev",
                label="EV",
                ours="EV(MARKETCAP({price},{shares}),{debt},{cash})",
                native="{price}*{shares}+{debt}-{cash}",
                expected=400_000_000,
                article="400 Millionen",
            ),
            Figure(
                name="fd_mcap",
                label="FD market cap (gross)",
                ours="FDMCAP({price},{shares},{counts},{strikes})",
                native="{price}*({shares}+SUMPRODUCT({counts}*({strikes}<{price})))",
                expected=700_000_000,
                article="700 Millionen US-Dollar",
            ),
            Figure(
                name="proceeds",
                label="Exercise proceeds",
                ours="INDEX(FDBRIDGE({price},{shares},{debt},{cash},{counts},{strikes}),4,2)",
                native="SUMPRODUCT({counts}*{strikes}*({strikes}<{price}))",
                expected=100_000_000,
                article="100 Millionen US-Dollar",
            ),
            Figure(
                name="fd_ev",
                label="FD EV (gross)",
                ours="FDEV({price},{shares},{debt},{cash},{counts},{strikes})",
                native="{fd_mcap}+{debt}-({cash}+{proceeds})",
                expected=500_000_000,
                article="500 Millionen US-Dollar",
            ),
            Figure(
                name="fd_mcap_tsm",
                label="FD market cap (treasury stock method)",
                ours='FDMCAP({price},{shares},{counts},{strikes},"tsm")',
                native="{price}*({shares}+SUMPRODUCT({counts}*({strikes}<{price})*({price}-{strikes})/{price}))",
                expected=600_000_000,
            ),
            Figure(
                name="fd_ev_tsm",
                label="FD EV (treasury stock method)",
                ours='FDEV({price},{shares},{debt},{cash},{counts},{strikes},"tsm")',
                native="{fd_mcap_tsm}+{debt}-{cash}",
                expected=500_000_000,
                article="500 Millionen (same as gross)",
            ),
        ),
    ),
    Example(
        sheet="9 Free float",
        title="Free-float market cap",
        source=ARTICLE_1,
        illustrative=True,
        quote=(
            "In Nordamerika etwa sind meist mehr als 90 % der Aktien frei handelbar. […] Aber in "
            "Märkten, wo beispielsweise Staaten größere Unternehmensanteile halten, kann die Free Float "
            "Market Cap deutlich vom Gesamtbild abweichen."
        ),
        summary="A widely held North American company versus a partly state-owned one (illustrative figures).",
        inputs=(
            Input(name="price", label="Share price ($)", value=50),
            Input(name="shares", label="Shares outstanding", value=100_000_000, fmt="count"),
            Input(
                name="restricted_a",
                label="A: closely held shares",
                value=8_000_000,
                fmt="count",
                upto="shares",
            ),
            Input(
                name="restricted_b",
                label="B: held by the state",
                value=60_000_000,
                fmt="count",
                upto="shares",
            ),
        ),
        figures=(
            Figure(
                name="mcap",
                label="Market cap (both)",
                ours="MARKETCAP({price},{shares})",
                native="{price}*{shares}",
                expected=5_000_000_000,
            ),
            Figure(
                name="ff_a",
                label="A: free float",
                ours="FREEFLOAT({shares},{restricted_a})",
                native="({shares}-{restricted_a})/{shares}",
                expected=0.92,
                fmt="pct",
                tol=RATE,
                article="mehr als 90 %",
            ),
            Figure(
                name="ffmcap_a",
                label="A: free-float market cap",
                ours="FFMCAP({price},{shares},FREEFLOAT({shares},{restricted_a}))",
                native="{price}*({shares}-{restricted_a})",
                expected=4_600_000_000,
            ),
            Figure(
                name="ffmcap_b",
                label="B: free-float market cap",
                ours="FFMCAP({price},{shares},FREEFLOAT({shares},{restricted_b}))",
                native="{price}*({shares}-{restricted_b})",
                expected=2_000_000_000,
            ),
        ),
    ),
    Example(
        sheet="10 Capital increase",
        title="A capital increase dilutes an existing holder",
        source=ARTICLE_1,
        illustrative=True,
        quote=(
            "Ein Unternehmen kann beispielsweise durch eine Kapitalerhöhung neue Aktien ausgeben. Wenn "
            "das geschieht und Investoren diese neuen Aktien freudig kaufen, kann sich die Market Cap "
            "ebenfalls vergrößern. Allerdings wird dein prozentualer Anteil als bestehender Aktionär "
            "dabei verwässert."
        ),
        summary=(
            "Issuing 25m new shares on 100m lifts the market cap and cuts a 1 % holder to 0.8 % "
            "(illustrative)."
        ),
        inputs=(
            Input(name="price", label="Share price ($)", value=20),
            Input(name="shares", label="Shares before", value=100_000_000, fmt="count"),
            Input(name="new_shares", label="New shares issued", value=25_000_000, fmt="count"),
            Input(name="holding", label="Your shares", value=1_000_000, fmt="count", upto="shares"),
        ),
        figures=(
            Figure(
                name="mcap_before",
                label="Market cap before",
                ours="MARKETCAP({price},{shares})",
                native="{price}*{shares}",
                expected=2_000_000_000,
            ),
            Figure(
                name="mcap_after",
                label="Market cap after (same price)",
                ours="MARKETCAP({price},{shares}+{new_shares})",
                native="{price}*({shares}+{new_shares})",
                expected=2_500_000_000,
                article="kann sich vergrößern",
            ),
            Figure(
                name="dilution",
                label="Dilution",
                ours="DILUTION({shares},{new_shares})",
                native="{new_shares}/({shares}+{new_shares})",
                expected=0.2,
                fmt="pct",
                tol=RATE,
            ),
            Figure(
                name="stake_before",
                label="Your stake before",
                ours="OWNERSHIP({holding},{shares})",
                native="{holding}/{shares}",
                expected=1 / 100,
                fmt="pct",
                tol=RATE,
            ),
            Figure(
                name="stake_after",
                label="Your stake after",
                ours="OWNERSHIP({holding},{shares}+{new_shares})",
                native="{holding}/({shares}+{new_shares})",
                expected=0.008,
                fmt="pct",
                tol=RATE,
                article="wird verwässert",
            ),
        ),
    ),
    Example(
        sheet="11 Buyback",
        title="A buyback: the price rises, the market cap can still fall",
        source=ARTICLE_1,
        illustrative=True,
        quote=(
            "Manche Konzerne kaufen eigene Aktien zurück (Share Buyback) und verringern so die Anzahl "
            "ausstehender Aktien. […] wenn der Aktienkurs stabil bleibt oder gar steigt, kann die "
            "Marktkapitalisierung dastehen, wie sie will, deine Beteiligung ist wertvoller. Theoretisch "
            "könnten starke Rückkäufe sogar dazu führen, dass die Market Cap fällt, obwohl der Kurs "
            "hochgeht."
        ),
        summary=(
            "Buying back 10 % of the shares while the price rises 8 % lowers the market cap (illustrative)."
        ),
        inputs=(
            Input(name="price", label="Share price before ($)", value=50),
            Input(name="price_after", label="Share price after ($)", value=54),
            Input(name="shares", label="Shares before", value=100_000_000, fmt="count"),
            Input(
                name="bought_back",
                label="Shares bought back",
                value=10_000_000,
                fmt="count",
                upto="shares",
            ),
            Input(name="holding", label="Your shares", value=1_000_000, fmt="count", upto="shares"),
        ),
        figures=(
            Figure(
                name="mcap_before",
                label="Market cap before",
                ours="MARKETCAP({price},{shares})",
                native="{price}*{shares}",
                expected=5_000_000_000,
            ),
            Figure(
                name="mcap_after",
                label=(
                    'Market cap after (price [[IF({price_after}>={price},"up","down")]] '
                    "[[ABS({price_after}/{price}-1)|pct1]])"
                ),
                ours="MARKETCAP({price_after},{shares}-{bought_back})",
                native="{price_after}*({shares}-{bought_back})",
                expected=4_860_000_000,
                article="Market Cap fällt, obwohl der Kurs hochgeht",
            ),
            Figure(
                name="stake_before",
                label="Your stake before",
                ours="OWNERSHIP({holding},{shares})",
                native="{holding}/{shares}",
                expected=1 / 100,
                fmt="pct",
                tol=RATE,
            ),
            Figure(
                name="stake_after",
                label="Your stake after",
                ours="OWNERSHIP({holding},{shares}-{bought_back})",
                native="{holding}/({shares}-{bought_back})",
                expected=1 / 90,
                fmt="pct",
                tol=RATE,
                article="größerer prozentualer Anteil",
            ),
            Figure(
                name="accretion",
                label="Change in your stake (relative)",
                ours="MULTIPLE({stake_after},{stake_before})-1",
                native="{bought_back}/({shares}-{bought_back})",
                expected=1 / 9,
                fmt="pct",
                tol=RATE,
            ),
            Figure(
                name="value_flat",
                label="Your stake's value if the price stays at [[{price}|usd]]",
                ours="MARKETCAP({price},{holding})",
                native="{price}*{holding}",
                expected=50_000_000,
                article="„deine Beteiligung ist wertvoller“",
            ),
            Figure(
                name="value_up",
                label="Your stake's value at [[{price_after}|usd]]",
                ours="MARKETCAP({price_after},{holding})",
                native="{price_after}*{holding}",
                expected=54_000_000,
            ),
        ),
        verdict=(
            "Holds in part. The market cap can indeed fall while the price rises; here it goes from "
            "[[{mcap_before}|m]] to [[{mcap_after}|m]] with the price "
            '[[IF({price_after}>={price},"up","down")]] [[ABS({price_after}/{price}-1)|pct1]]. But at a '
            "stable price your stake is a larger percentage ([[{stake_before}|pct]] to "
            "[[{stake_after}|pct]]), not worth more money: [[{holding}|n]] shares × [[{price}|usd]] = "
            "[[{value_flat}|m]] before and after. It is worth more only if the price rises."
        ),
    ),
    Example(
        sheet="12 Russell vs S&P",
        title="Russell 2000 +132 % in ten years versus the S&P 500, annualised",
        source=ARTICLE_2,
        quote=(
            "In den vergangenen zehn Jahren stieg der Russell 2000 rund 132 %, der S&P 500 kletterte "
            "mehr als doppelt so hoch."
        ),
        summary=(
            "+132 % over ten years is 8.8 % a year; a gain twice as high (+264 %) is 13.8 % a year, not "
            "twice the rate."
        ),
        inputs=(
            Input(name="years", label="Years", value=10, fmt="number"),
            Input(name="start", label="Start value (index points)", value=100, fmt="number"),
            Input(name="russell_gain", label="Russell 2000 gain", value=1.32, fmt="pct"),
            Input(
                name="times",
                label='S&P 500 gain as a multiple ("mehr als doppelt so hoch": at least 2)',
                value=2,
                fmt="number",
            ),
        ),
        figures=(
            Figure(
                name="sp_gain",
                label="S&P 500 gain (at least)",
                ours=None,
                native="{times}*{russell_gain}",
                expected=2.64,
                fmt="pct",
                tol=RATE,
            ),
            Figure(
                name="russell_rate",
                label="Russell 2000 per year",
                ours="_xlfn.RRI({years},{start},{start}*(1+{russell_gain}))",
                native="(1+{russell_gain})^(1/{years})-1",
                expected=0.08779935880855194,
                fmt="pct",
                tol=RATE,
            ),
            Figure(
                name="sp_rate",
                label="S&P 500 per year (at least)",
                ours="_xlfn.RRI({years},{start},{start}*(1+{sp_gain}))",
                native="(1+{sp_gain})^(1/{years})-1",
                expected=0.13791582805334013,
                fmt="pct",
                tol=RATE,
            ),
            Figure(
                name="rate_ratio",
                label="S&P rate as a multiple of the Russell rate",
                ours="MULTIPLE({sp_rate},{russell_rate})",
                native="{sp_rate}/{russell_rate}",
                expected=1.5708067795126845,
                fmt="x",
                tol=RATE,
            ),
        ),
        growth=Growth(
            start="start",
            years="years",
            series=(("Russell 2000", "russell_rate"), ("S&P 500 (at least)", "sp_rate")),
        ),
    ),
    Example(
        sheet="13 Nvidia IPO",
        title="Nvidia: $1,000 at the 1999 IPO, almost $8 million today",
        source=ARTICLE_2,
        quote=(
            "Beispiel Nvidia: In frühen Jahren nahe an der Insolvenz, ging das Unternehmen 1999 an die "
            "Börse. Wer damals tausend Dollar investiert hat, kann sich heute über fast 8 Millionen "
            "Dollar freuen."
        ),
        summary=(
            "$1,000 growing to almost $8m from the IPO (22 Jan 1999, $12 a share) to the article (6 Mar "
            "2026)."
        ),
        inputs=(
            Input(name="invested", label="Invested at the IPO ($)", value=1000),
            Input(name="value_now", label='Value today ($, "fast 8 Millionen")', value=8_000_000),
            Input(name="ipo_date", label="IPO date", value=dt.date(1999, 1, 22), fmt="date"),
            Input(name="article_date", label="Article date", value=dt.date(2026, 3, 6), fmt="date"),
            Input(name="ipo_price", label="IPO price ($ a share)", value=12),
            Input(
                name="split_factor",
                label="Shares per IPO share after splits (2·2·2·1.5·4·10)",
                value=480,
                fmt="number",
            ),
        ),
        figures=(
            Figure(
                name="multiple",
                label="Money multiple",
                ours="MULTIPLE({value_now},{invested})",
                native="{value_now}/{invested}",
                expected=8000,
                fmt="x",
                tol=RATE,
                article="tausend Dollar → fast 8 Millionen",
            ),
            Figure(
                name="years",
                label="Years held",
                ours=None,
                native="({article_date}-{ipo_date})/365.25",
                expected=27.11841204654346,
                fmt="number",
                tol=1e-9,
            ),
            Figure(
                name="cagr",
                label="Return per year",
                ours="_xlfn.RRI({years},{invested},{value_now})",
                native="({value_now}/{invested})^(1/{years})-1",
                expected=0.3929248126252398,
                fmt="pct",
                tol=RATE,
            ),
            Figure(
                name="shares_now",
                label="Shares held today",
                ours=None,
                native="{invested}/{ipo_price}*{split_factor}",
                expected=40_000,
                fmt="count",
                tol=1e-9,
            ),
            Figure(
                name="implied_price",
                label="Share price that makes it $8m",
                ours="MULTIPLE({value_now},{shares_now})",
                native="{value_now}/{shares_now}",
                expected=200,
            ),
        ),
        growth=Growth(start="invested", years="years", series=(("$1,000 at Nvidia's IPO", "cagr"),)),
    ),
    Example(
        sheet="14 Size classes",
        title="Size classes of the articles' companies",
        source=ARTICLE_2,
        quote=(
            "Small Caps – das bedeutet starke Schwankungen, breite Streuung und begrenzte Sichtbarkeit. "
            "[…] Antreiber waren ausgewählte Mega-Caps; viele kleinere Unternehmen erhielten nur "
            "begrenzte Aufmerksamkeit von Investoren."
        ),
        summary="Mega ≥ $200bn, large ≥ $10bn, mid ≥ $2bn, small ≥ $300m, micro ≥ $50m, nano below.",
        inputs=(
            Input(
                name="caps",
                label="Market cap ($)",
                value=(100_000_000, 1_000_000_000, 700_000_000, 5_000_000_000, 1_194_000_000_000, 30_000_000),
                rows=(
                    "sheet 1, 1m shares at $100",
                    "sheet 5, ABC Corporation",
                    "sheet 7, fully diluted",
                    "sheet 3, coin at $0.10",
                    "sheet 4, Bitcoin (illustrative)",
                    "a nano cap (illustrative)",
                ),
                links=(
                    Link(sheet="1 Market cap", name="mcap"),
                    Link(sheet="5 ABC EV", name="mcap"),
                    Link(sheet="7 FD market cap", name="fd_mcap"),
                    Link(sheet="3 Coin supply", name="mcap"),
                    Link(sheet="4 Bitcoin FDV", name="mcap"),
                    None,
                ),
            ),
        ),
        figures=(
            Figure(
                name="classes",
                label="Size class",
                ours="MCAPCLASS({caps})",
                native=(
                    'IF({caps}>=200000000000,"Mega",IF({caps}>=10000000000,"Large",'
                    'IF({caps}>=2000000000,"Mid",IF({caps}>=300000000,"Small",'
                    'IF({caps}>=50000000,"Micro","Nano")))))'
                ),
                expected=("Micro", "Small", "Small", "Mid", "Mega", "Nano"),
                fmt="text",
            ),
        ),
    ),
)
