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
format ``fmt`` (see :data:`xlfuncs.workbooks.templates.TEXT_FORMATS`), ``[[expr]]``
an expression giving text; the workbook writes them as formulas, so they follow
the inputs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

ARTICLE_1 = 'InvestingPro (de), "Was ist Marktkapitalisierung?"'
ARTICLE_2 = 'Michel Bourgon (DPAM), "Small Caps", 2026-03-06'
CENT = 0.005  # "to the cent"
RATE = 5e-7  # rates and ratios: to 0.00005 percentage points


@dataclass(frozen=True)
class Input:
    name: str
    label: str
    value: object  # number, date, or a tuple for a range (one cell per element)
    fmt: str = "usd"
    rows: tuple = ()  # labels of the cells of a range input
    upto: str = ""  # valid values are below this other input (e.g. shares held below shares outstanding)
    links: tuple = ()  # per cell: (sheet, figure or input name) whose value the cell takes, or None


@dataclass(frozen=True)
class Figure:
    name: str
    label: str  # may hold [[...]] templates
    ours: str | None  # formula with our functions ({name}: an input or our figure); None: native only
    native: str  # cross-check with native Excel functions only ({name}: an input or a native figure)
    expected: object  # a number, a text, or a tuple for a spilled range
    article: str  # what the article says, in its words, or why there is no figure
    fmt: str = "usd"
    tol: float = CENT


@dataclass(frozen=True)
class Example:
    sheet: str
    title: str
    source: str
    quote: str
    summary: str
    inputs: tuple[Input, ...]
    figures: tuple[Figure, ...]
    verdict: str = ""  # where the article's arithmetic or conclusion does not hold ([[...]] templates)
    illustrative: bool = False  # inputs are made up because the article gives none
    #: a growth chart: (start value, years, ((series label, annual rate figure), ...)), all names
    growth: tuple = ()


NO_FIGURE = "no figure; hand-computed from the inputs"

EXAMPLES: tuple[Example, ...] = (
    Example(
        "1 Market cap",
        "Market cap of 1 million shares at $100",
        ARTICLE_1,
        "Hast du beispielsweise 1 Million Aktien à 100 US-Dollar, kommst du auf eine "
        "Marktkapitalisierung von 100 Millionen US-Dollar.",
        "1 million shares at $100 give a market cap of $100 million.",
        (Input("price", "Share price ($)", 100), Input("shares", "Shares outstanding", 1_000_000, "count")),
        (
            Figure(
                "mcap",
                "Market cap",
                "MARKETCAP({price},{shares})",
                "{price}*{shares}",
                100_000_000,
                "100 Millionen US-Dollar",
            ),
        ),
    ),
    Example(
        "2 Price vs size",
        "A $3 share with five times the shares versus a $30 share",
        ARTICLE_1,
        "Eine Firma kann zum Beispiel einen Aktienkurs von 3 US-Dollar haben, aber fünfmal so viele "
        "Aktien im Umlauf wie ein Konkurrent mit 30 US-Dollar pro Aktie. Wer ist größer? Richtig, der "
        "mit mehr ausstehenden Aktien und damit oft höherer Marktkapitalisierung.",
        "Company A trades at $3 with five times the shares of B at $30; the article says A is bigger.",
        (
            Input("price_a", "A: share price ($)", 3),
            Input("times", "A has this many times B's shares", 5, "number"),
            Input("price_b", "B: share price ($)", 30),
            Input("shares_b", "B: shares (illustrative)", 10_000_000, "count"),
        ),
        (
            Figure(
                "shares_a",
                "A: shares ([[{times}|n]] × B's)",
                None,
                "{times}*{shares_b}",
                50_000_000,
                NO_FIGURE,
                "count",
                1e-6,
            ),
            Figure(
                "mcap_a",
                "A: market cap",
                "MARKETCAP({price_a},{shares_a})",
                "{price_a}*{shares_a}",
                150_000_000,
                NO_FIGURE,
            ),
            Figure(
                "mcap_b",
                "B: market cap",
                "MARKETCAP({price_b},{shares_b})",
                "{price_b}*{shares_b}",
                300_000_000,
                NO_FIGURE,
            ),
            Figure(
                "ratio",
                "A's market cap as a multiple of B's",
                "MULTIPLE({mcap_a},{mcap_b})",
                "{mcap_a}/{mcap_b}",
                0.5,
                'A ist größer ("der mit mehr ausstehenden Aktien")',
                "x",
                RATE,
            ),
            Figure(
                "breakeven",
                "Share multiple A needs to match B",
                "MULTIPLE({price_b},{price_a})",
                "{price_b}/{price_a}",
                10,
                NO_FIGURE,
                "x",
                RATE,
            ),
        ),
        verdict='[[IF({mcap_a}>{mcap_b},"With these inputs the article\'s answer holds","The article\'s '
        'answer does not hold")]]: [[{times}|n]] times the shares at [[{price_a}|usd]] against '
        "[[{price_b}|usd]] is [[{ratio}|x2]] B's market cap ([[{mcap_a}|m]] against [[{mcap_b}|m]]). "
        "A is bigger only with more than [[{breakeven}|x2]] B's shares.",
    ),
    Example(
        "3 Coin supply",
        "A coin at $0.10 with 50 billion coins",
        ARTICLE_1,
        "Ein Coin kann bei 0,10 US-Dollar stehen und sieht nach einem Schnäppchen aus. Aber was, wenn "
        "davon 50 Milliarden Stück existieren? Dann kann die Market Cap plötzlich in Bereiche vorstoßen, "
        "die kaum durch das eigentliche Use Case gedeckt sind.",
        "A $0.10 coin with 50 billion coins in circulation is a $5 billion asset.",
        (
            Input("price", "Coin price ($)", 0.10),
            Input("supply", "Coins in circulation", 50_000_000_000, "count"),
        ),
        (
            Figure(
                "mcap",
                "Market cap",
                "MARKETCAP({price},{supply})",
                "{price}*{supply}",
                5_000_000_000,
                NO_FIGURE,
            ),
            Figure(
                "size",
                "Size class",
                "MCAPCLASS({mcap})",
                'IF({mcap}>=200000000000,"Mega",IF({mcap}>=10000000000,"Large",IF({mcap}>=2000000000,"Mid",'
                'IF({mcap}>=300000000,"Small",IF({mcap}>=50000000,"Micro","Nano")))))',
                "Mid",
                NO_FIGURE,
                "text",
            ),
        ),
    ),
    Example(
        "4 Bitcoin FDV",
        "Bitcoin: circulating supply versus the 21 million maximum",
        ARTICLE_1,
        "Jedoch kann die „Circulating Supply“ von der maximal möglichen Menge abweichen. Bei Bitcoin "
        "(BTC) liegt das Maximum bei 21 Millionen, von denen aber noch nicht alle geschürft wurden. "
        "Wichtig ist, dass man die tatsächlich umlaufende Anzahl nimmt, sonst kann man sich ganz schön "
        "in die Irre führen.",
        "Market cap uses the coins in circulation; the fully diluted valuation uses all 21 million.",
        (
            Input("price", "BTC price ($, illustrative)", 60_000),
            Input("circulating", "Circulating supply (illustrative)", 19_900_000, "count", upto="max_supply"),
            Input("max_supply", "Maximum supply", 21_000_000, "count"),
        ),
        (
            Figure(
                "mcap",
                "Market cap (circulating)",
                "MARKETCAP({price},{circulating})",
                "{price}*{circulating}",
                1_194_000_000_000,
                NO_FIGURE,
            ),
            Figure(
                "fdv",
                "Fully diluted valuation",
                "FDV({price},{max_supply})",
                "{price}*{max_supply}",
                1_260_000_000_000,
                NO_FIGURE,
            ),
            Figure(
                "mined",
                "Share of the maximum in circulation",
                "OWNERSHIP({circulating},{max_supply})",
                "{circulating}/{max_supply}",
                19.9 / 21,
                NO_FIGURE,
                "pct",
                RATE,
            ),
        ),
        illustrative=True,
    ),
    Example(
        "5 ABC EV",
        "ABC Corporation's enterprise value",
        ARTICLE_1,
        "ABC Corporation – Market Cap: 1 Milliarde US-Dollar – Schulden: 500 Millionen US-Dollar – Cash "
        "auf dem Konto: 100 Millionen US-Dollar. Dann haben wir: Enterprise Value = 1 Milliarde + 500 "
        "Millionen – 100 Millionen = 1,4 Milliarden US-Dollar. Also liegt der EV 400 Millionen höher als "
        "die Market Cap.",
        "Market cap $1bn plus debt $500m less cash $100m: EV $1.4bn, $400m above the market cap.",
        (
            Input("mcap", "Market cap ($)", 1_000_000_000),
            Input("debt", "Debt ($)", 500_000_000),
            Input("cash", "Cash ($)", 100_000_000),
        ),
        (
            Figure(
                "ev",
                "Enterprise value",
                "EV({mcap},{debt},{cash})",
                "{mcap}+{debt}-{cash}",
                1_400_000_000,
                "1,4 Milliarden US-Dollar",
            ),
            Figure("gap", "EV above market cap", "{ev}-{mcap}", "{ev}-{mcap}", 400_000_000, "400 Millionen"),
        ),
    ),
    Example(
        "6 Net cash",
        "Net cash: EV below the market cap, and negative EV",
        ARTICLE_1,
        "Bei einigen Unternehmen ist es umgekehrt – sie haben mehr Cash als Schulden, also Net Cash. Dann "
        "kann der Enterprise Value sogar unter der Market Cap liegen. In extrem seltenen Fällen kommt man "
        "zu einer negativen Zahl, […] wenn das Unternehmen mehr Bargeld hält, als die gesamte "
        "Börsenbewertung hergibt.",
        "With net cash EV is below the market cap; it turns negative when cash is large enough.",
        (
            Input("mcap_a", "A: market cap ($)", 500_000_000),
            Input("debt_a", "A: debt ($)", 50_000_000),
            Input("cash_a", "A: cash ($)", 200_000_000),
            Input("mcap_b", "B: market cap ($)", 200_000_000),
            Input("debt_b", "B: debt ($)", 10_000_000),
            Input("cash_b", "B: cash ($)", 250_000_000),
            Input("mcap_c", "C: market cap ($)", 200_000_000),
            Input("debt_c", "C: debt ($)", 100_000_000),
            Input("cash_c", "C: cash ($)", 250_000_000),
        ),
        (
            Figure(
                "ev_a",
                "A: EV",
                "EV({mcap_a},{debt_a},{cash_a})",
                "{mcap_a}+{debt_a}-{cash_a}",
                350_000_000,
                NO_FIGURE,
            ),
            Figure(
                "ev_b",
                "B: EV",
                "EV({mcap_b},{debt_b},{cash_b})",
                "{mcap_b}+{debt_b}-{cash_b}",
                -40_000_000,
                NO_FIGURE,
            ),
            Figure(
                "ev_c",
                "C: EV",
                "EV({mcap_c},{debt_c},{cash_c})",
                "{mcap_c}+{debt_c}-{cash_c}",
                50_000_000,
                "negativ, wenn mehr Bargeld als Börsenbewertung",
            ),
        ),
        verdict="The article's condition is incomplete: cash above the market cap is not enough. "
        "EV < 0 exactly when cash > market cap + debt. B: cash [[{cash_b}|m]] against market cap + debt "
        "[[{mcap_b}+{debt_b}|m]] gives EV [[{ev_b}|m]]; C: cash [[{cash_c}|m]] against market cap "
        "[[{mcap_c}|m]] + debt [[{debt_c}|m]] = [[{mcap_c}+{debt_c}|m]] gives EV [[{ev_c}|m]].",
        illustrative=True,
    ),
    Example(
        "7 FD market cap",
        "Fully diluted market cap: 50m shares plus 20m options and warrants",
        ARTICLE_1,
        "Sagen wir, ein Unternehmen hat 50 Millionen Aktien zu 10 US-Dollar, also 500 Millionen US-Dollar "
        "Market Cap. Jetzt existieren aber 10 Millionen Optionen und 10 Millionen Warrants, beide sind "
        "„in the money“. Würden alle ausgeübt, erhöht sich die Aktienanzahl auf 70 Millionen. Bei gleichem "
        "Kurs wäre die Fully-Diluted Market Cap 700 Millionen US-Dollar.",
        "50m shares at $10 plus 10m options and 10m warrants in the money: 70m shares, $700m.",
        (
            Input("price", "Share price ($)", 10),
            Input("shares", "Basic shares", 50_000_000, "count"),
            Input(
                "counts",
                "Instruments (in the money; strike not given)",
                (10_000_000, 10_000_000),
                "count",
                ("Options", "Warrants"),
            ),
        ),
        (
            Figure(
                "mcap",
                "Market cap",
                "MARKETCAP({price},{shares})",
                "{price}*{shares}",
                500_000_000,
                "500 Millionen US-Dollar",
            ),
            Figure(
                "fd_shares",
                "Fully diluted shares",
                "FDSHARES({price},{shares},{counts})",
                "{shares}+SUM({counts})",
                70_000_000,
                "70 Millionen",
                "count",
            ),
            Figure(
                "fd_mcap",
                "Fully diluted market cap",
                "FDMCAP({price},{shares},{counts})",
                "{price}*({shares}+SUM({counts}))",
                700_000_000,
                "700 Millionen US-Dollar",
            ),
        ),
    ),
    Example(
        "8 XYZ FD EV",
        "XYZ: fully diluted EV with exercise proceeds, gross and treasury stock method",
        ARTICLE_1,
        "Aktuelle Market Cap: 500 Millionen US-Dollar (50 Mio. Aktien × 10 US-Dollar/Aktie) – Cash: 100 "
        "Millionen US-Dollar, Schulden: 0 US-Dollar → EV = 400 Millionen – 20 Millionen Optionen/Warrants "
        "(jeweils 10 Mio. Stück) mit Strike 5 US-Dollar […] – Fully-Diluted Market Cap: 70 Millionen Aktien "
        "× 10 US-Dollar = 700 Millionen US-Dollar – Zusätzlicher Cash-Zufluss: 20 Millionen "
        "Optionen/Warrants × 5 US-Dollar = 100 Millionen US-Dollar → Neuer Cash-Bestand = 200 Millionen "
        "US-Dollar – Fully-Diluted EV = 700 Millionen – 200 Millionen = 500 Millionen US-Dollar",
        "XYZ: FD EV is $500m both ways; the treasury stock method gives a $600m FD market cap instead of $700m.",
        (
            Input("price", "Share price ($)", 10),
            Input("shares", "Basic shares", 50_000_000, "count"),
            Input("debt", "Debt ($)", 0),
            Input("cash", "Cash ($)", 100_000_000),
            Input("counts", "Instruments", (10_000_000, 10_000_000), "count", ("Options", "Warrants")),
            Input("strikes", "Strike ($)", (5, 5), "usd", ("Options", "Warrants")),
        ),
        (
            Figure(
                "ev",
                "EV",
                "EV(MARKETCAP({price},{shares}),{debt},{cash})",
                "{price}*{shares}+{debt}-{cash}",
                400_000_000,
                "400 Millionen",
            ),
            Figure(
                "fd_mcap",
                "FD market cap (gross)",
                "FDMCAP({price},{shares},{counts},{strikes})",
                "{price}*({shares}+SUMPRODUCT({counts}*({strikes}<{price})))",
                700_000_000,
                "700 Millionen US-Dollar",
            ),
            Figure(
                "proceeds",
                "Exercise proceeds",
                "INDEX(FDBRIDGE({price},{shares},{debt},{cash},{counts},{strikes}),4,2)",
                "SUMPRODUCT({counts}*{strikes}*({strikes}<{price}))",
                100_000_000,
                "100 Millionen US-Dollar",
            ),
            Figure(
                "fd_ev",
                "FD EV (gross)",
                "FDEV({price},{shares},{debt},{cash},{counts},{strikes})",
                "{fd_mcap}+{debt}-({cash}+{proceeds})",
                500_000_000,
                "500 Millionen US-Dollar",
            ),
            Figure(
                "fd_mcap_tsm",
                "FD market cap (treasury stock method)",
                'FDMCAP({price},{shares},{counts},{strikes},"tsm")',
                "{price}*({shares}+SUMPRODUCT({counts}*({strikes}<{price})*({price}-{strikes})/{price}))",
                600_000_000,
                NO_FIGURE,
            ),
            Figure(
                "fd_ev_tsm",
                "FD EV (treasury stock method)",
                'FDEV({price},{shares},{debt},{cash},{counts},{strikes},"tsm")',
                "{fd_mcap_tsm}+{debt}-{cash}",
                500_000_000,
                "500 Millionen (same as gross)",
            ),
        ),
    ),
    Example(
        "9 Free float",
        "Free-float market cap",
        ARTICLE_1,
        "In Nordamerika etwa sind meist mehr als 90 % der Aktien frei handelbar. […] Aber in Märkten, wo "
        "beispielsweise Staaten größere Unternehmensanteile halten, kann die Free Float Market Cap deutlich "
        "vom Gesamtbild abweichen.",
        "A widely held North American company versus a partly state-owned one (illustrative figures).",
        (
            Input("price", "Share price ($)", 50),
            Input("shares", "Shares outstanding", 100_000_000, "count"),
            Input("restricted_a", "A: closely held shares", 8_000_000, "count", upto="shares"),
            Input("restricted_b", "B: held by the state", 60_000_000, "count", upto="shares"),
        ),
        (
            Figure(
                "mcap",
                "Market cap (both)",
                "MARKETCAP({price},{shares})",
                "{price}*{shares}",
                5_000_000_000,
                NO_FIGURE,
            ),
            Figure(
                "ff_a",
                "A: free float",
                "FREEFLOAT({shares},{restricted_a})",
                "({shares}-{restricted_a})/{shares}",
                0.92,
                "mehr als 90 %",
                "pct",
                RATE,
            ),
            Figure(
                "ffmcap_a",
                "A: free-float market cap",
                "FFMCAP({price},{shares},FREEFLOAT({shares},{restricted_a}))",
                "{price}*({shares}-{restricted_a})",
                4_600_000_000,
                NO_FIGURE,
            ),
            Figure(
                "ffmcap_b",
                "B: free-float market cap",
                "FFMCAP({price},{shares},FREEFLOAT({shares},{restricted_b}))",
                "{price}*({shares}-{restricted_b})",
                2_000_000_000,
                NO_FIGURE,
            ),
        ),
        illustrative=True,
    ),
    Example(
        "10 Capital increase",
        "A capital increase dilutes an existing holder",
        ARTICLE_1,
        "Ein Unternehmen kann beispielsweise durch eine Kapitalerhöhung neue Aktien ausgeben. Wenn das "
        "geschieht und Investoren diese neuen Aktien freudig kaufen, kann sich die Market Cap ebenfalls "
        "vergrößern. Allerdings wird dein prozentualer Anteil als bestehender Aktionär dabei verwässert.",
        "Issuing 25m new shares on 100m lifts the market cap and cuts a 1 % holder to 0.8 % (illustrative).",
        (
            Input("price", "Share price ($)", 20),
            Input("shares", "Shares before", 100_000_000, "count"),
            Input("new_shares", "New shares issued", 25_000_000, "count"),
            Input("holding", "Your shares", 1_000_000, "count", upto="shares"),
        ),
        (
            Figure(
                "mcap_before",
                "Market cap before",
                "MARKETCAP({price},{shares})",
                "{price}*{shares}",
                2_000_000_000,
                NO_FIGURE,
            ),
            Figure(
                "mcap_after",
                "Market cap after (same price)",
                "MARKETCAP({price},{shares}+{new_shares})",
                "{price}*({shares}+{new_shares})",
                2_500_000_000,
                "kann sich vergrößern",
            ),
            Figure(
                "dilution",
                "Dilution",
                "DILUTION({shares},{new_shares})",
                "{new_shares}/({shares}+{new_shares})",
                0.2,
                NO_FIGURE,
                "pct",
                RATE,
            ),
            Figure(
                "stake_before",
                "Your stake before",
                "OWNERSHIP({holding},{shares})",
                "{holding}/{shares}",
                0.01,
                NO_FIGURE,
                "pct",
                RATE,
            ),
            Figure(
                "stake_after",
                "Your stake after",
                "OWNERSHIP({holding},{shares}+{new_shares})",
                "{holding}/({shares}+{new_shares})",
                0.008,
                "wird verwässert",
                "pct",
                RATE,
            ),
        ),
        illustrative=True,
    ),
    Example(
        "11 Buyback",
        "A buyback: the price rises, the market cap can still fall",
        ARTICLE_1,
        "Manche Konzerne kaufen eigene Aktien zurück (Share Buyback) und verringern so die Anzahl "
        "ausstehender Aktien. […] wenn der Aktienkurs stabil bleibt oder gar steigt, kann die "
        "Marktkapitalisierung dastehen, wie sie will, deine Beteiligung ist wertvoller. Theoretisch könnten "
        "starke Rückkäufe sogar dazu führen, dass die Market Cap fällt, obwohl der Kurs hochgeht.",
        "Buying back 10 % of the shares while the price rises 8 % lowers the market cap (illustrative).",
        (
            Input("price", "Share price before ($)", 50),
            Input("price_after", "Share price after ($)", 54),
            Input("shares", "Shares before", 100_000_000, "count"),
            Input("bought_back", "Shares bought back", 10_000_000, "count", upto="shares"),
            Input("holding", "Your shares", 1_000_000, "count", upto="shares"),
        ),
        (
            Figure(
                "mcap_before",
                "Market cap before",
                "MARKETCAP({price},{shares})",
                "{price}*{shares}",
                5_000_000_000,
                NO_FIGURE,
            ),
            Figure(
                "mcap_after",
                'Market cap after (price [[IF({price_after}>={price},"up","down")]] '
                "[[ABS({price_after}/{price}-1)|pct1]])",
                "MARKETCAP({price_after},{shares}-{bought_back})",
                "{price_after}*({shares}-{bought_back})",
                4_860_000_000,
                "Market Cap fällt, obwohl der Kurs hochgeht",
            ),
            Figure(
                "stake_before",
                "Your stake before",
                "OWNERSHIP({holding},{shares})",
                "{holding}/{shares}",
                1 / 100,
                NO_FIGURE,
                "pct",
                RATE,
            ),
            Figure(
                "stake_after",
                "Your stake after",
                "OWNERSHIP({holding},{shares}-{bought_back})",
                "{holding}/({shares}-{bought_back})",
                1 / 90,
                "größerer prozentualer Anteil",
                "pct",
                RATE,
            ),
            Figure(
                "accretion",
                "Change in your stake (relative)",
                "MULTIPLE({stake_after},{stake_before})-1",
                "{bought_back}/({shares}-{bought_back})",
                1 / 9,
                NO_FIGURE,
                "pct",
                RATE,
            ),
            Figure(
                "value_flat",
                "Your stake's value if the price stays at [[{price}|usd]]",
                "MARKETCAP({price},{holding})",
                "{price}*{holding}",
                50_000_000,
                "„deine Beteiligung ist wertvoller“",
            ),
            Figure(
                "value_up",
                "Your stake's value at [[{price_after}|usd]]",
                "MARKETCAP({price_after},{holding})",
                "{price_after}*{holding}",
                54_000_000,
                NO_FIGURE,
            ),
        ),
        verdict="Holds in part. The market cap can indeed fall while the price rises; here it goes from "
        '[[{mcap_before}|m]] to [[{mcap_after}|m]] with the price [[IF({price_after}>={price},"up",'
        '"down")]] [[ABS({price_after}/{price}-1)|pct1]]. But at a stable price your stake is a larger '
        "percentage ([[{stake_before}|pct]] to [[{stake_after}|pct]]), not worth more money: "
        "[[{holding}|n]] shares × [[{price}|usd]] = [[{value_flat}|m]] before and after. It is worth more "
        "only if the price rises.",
        illustrative=True,
    ),
    Example(
        "12 Russell vs S&P",
        "Russell 2000 +132 % in ten years versus the S&P 500, annualised",
        ARTICLE_2,
        "In den vergangenen zehn Jahren stieg der Russell 2000 rund 132 %, der S&P 500 kletterte mehr als "
        "doppelt so hoch.",
        "+132 % over ten years is 8.8 % a year; a gain twice as high (+264 %) is 13.8 % a year, not twice the rate.",
        (
            Input("years", "Years", 10, "number"),
            Input("start", "Start value (index points)", 100, "number"),
            Input("russell_gain", "Russell 2000 gain", 1.32, "pct"),
            Input(
                "times", 'S&P 500 gain as a multiple ("mehr als doppelt so hoch": at least 2)', 2, "number"
            ),
        ),
        (
            Figure(
                "sp_gain",
                "S&P 500 gain (at least)",
                None,
                "{times}*{russell_gain}",
                2.64,
                NO_FIGURE,
                "pct",
                RATE,
            ),
            Figure(
                "russell_rate",
                "Russell 2000 per year",
                "_xlfn.RRI({years},{start},{start}*(1+{russell_gain}))",
                "(1+{russell_gain})^(1/{years})-1",
                0.08779935880855194,
                NO_FIGURE,
                "pct",
                RATE,
            ),
            Figure(
                "sp_rate",
                "S&P 500 per year (at least)",
                "_xlfn.RRI({years},{start},{start}*(1+{sp_gain}))",
                "(1+{sp_gain})^(1/{years})-1",
                0.13791582805334013,
                NO_FIGURE,
                "pct",
                RATE,
            ),
            Figure(
                "rate_ratio",
                "S&P rate as a multiple of the Russell rate",
                "MULTIPLE({sp_rate},{russell_rate})",
                "{sp_rate}/{russell_rate}",
                1.5708067795126845,
                NO_FIGURE,
                "x",
                RATE,
            ),
        ),
        growth=("start", "years", (("Russell 2000", "russell_rate"), ("S&P 500 (at least)", "sp_rate"))),
    ),
    Example(
        "13 Nvidia IPO",
        "Nvidia: $1,000 at the 1999 IPO, almost $8 million today",
        ARTICLE_2,
        "Beispiel Nvidia: In frühen Jahren nahe an der Insolvenz, ging das Unternehmen 1999 an die Börse. "
        "Wer damals tausend Dollar investiert hat, kann sich heute über fast 8 Millionen Dollar freuen.",
        "$1,000 growing to almost $8m from the IPO (22 Jan 1999, $12 a share) to the article (6 Mar 2026).",
        (
            Input("invested", "Invested at the IPO ($)", 1_000),
            Input("value_now", 'Value today ($, "fast 8 Millionen")', 8_000_000),
            Input("ipo_date", "IPO date", dt.date(1999, 1, 22), "date"),
            Input("article_date", "Article date", dt.date(2026, 3, 6), "date"),
            Input("ipo_price", "IPO price ($ a share)", 12),
            Input("split_factor", "Shares per IPO share after splits (2·2·2·1.5·4·10)", 480, "number"),
        ),
        (
            Figure(
                "multiple",
                "Money multiple",
                "MULTIPLE({value_now},{invested})",
                "{value_now}/{invested}",
                8_000,
                "tausend Dollar → fast 8 Millionen",
                "x",
                RATE,
            ),
            Figure(
                "years",
                "Years held",
                None,
                "({article_date}-{ipo_date})/365.25",
                27.11841204654346,
                NO_FIGURE,
                "number",
                1e-9,
            ),
            Figure(
                "cagr",
                "Return per year",
                "_xlfn.RRI({years},{invested},{value_now})",
                "({value_now}/{invested})^(1/{years})-1",
                0.3929248126252398,
                NO_FIGURE,
                "pct",
                RATE,
            ),
            Figure(
                "shares_now",
                "Shares held today",
                None,
                "{invested}/{ipo_price}*{split_factor}",
                40_000,
                NO_FIGURE,
                "count",
                1e-9,
            ),
            Figure(
                "implied_price",
                "Share price that makes it $8m",
                "MULTIPLE({value_now},{shares_now})",
                "{value_now}/{shares_now}",
                200,
                NO_FIGURE,
                "usd",
                CENT,
            ),
        ),
        growth=("invested", "years", (("$1,000 at Nvidia's IPO", "cagr"),)),
    ),
    Example(
        "14 Size classes",
        "Size classes of the articles' companies",
        ARTICLE_2,
        "Small Caps – das bedeutet starke Schwankungen, breite Streuung und begrenzte Sichtbarkeit. […] "
        "Antreiber waren ausgewählte Mega-Caps; viele kleinere Unternehmen erhielten nur begrenzte "
        "Aufmerksamkeit von Investoren.",
        "Mega ≥ $200bn, large ≥ $10bn, mid ≥ $2bn, small ≥ $300m, micro ≥ $50m, nano below.",
        (
            Input(
                "caps",
                "Market cap ($)",
                (100_000_000, 1_000_000_000, 700_000_000, 5_000_000_000, 1_194_000_000_000, 30_000_000),
                "usd",
                (
                    "sheet 1, 1m shares at $100",
                    "sheet 5, ABC Corporation",
                    "sheet 7, fully diluted",
                    "sheet 3, coin at $0.10",
                    "sheet 4, Bitcoin (illustrative)",
                    "a nano cap (illustrative)",
                ),
                links=(
                    ("1 Market cap", "mcap"),
                    ("5 ABC EV", "mcap"),
                    ("7 FD market cap", "fd_mcap"),
                    ("3 Coin supply", "mcap"),
                    ("4 Bitcoin FDV", "mcap"),
                    None,
                ),
            ),
        ),
        (
            Figure(
                "classes",
                "Size class",
                "MCAPCLASS({caps})",
                'IF({caps}>=200000000000,"Mega",IF({caps}>=10000000000,"Large",IF({caps}>=2000000000,"Mid",'
                'IF({caps}>=300000000,"Small",IF({caps}>=50000000,"Micro","Nano")))))',
                ("Micro", "Small", "Small", "Mid", "Mega", "Nano"),
                NO_FIGURE,
                "text",
            ),
        ),
    ),
)
