"""The README and docs/ against the code: the function reference and the README's list of
functions are what the specs generate, the examples run, links and named paths exist, and
CI runs the README's test command.
"""

import doctest
import re
import unicodedata
from pathlib import Path

import pytest

from xlfuncs import REGISTRY, docs

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
REFERENCE_PAGE = (ROOT / docs.REFERENCE).read_text(encoding="utf-8")
#: The pages a reader is sent to: the README, the site's pages, and the two files the site includes.
PAGES = [
    ROOT / "README.md",
    ROOT / "CHANGELOG.md",
    ROOT / "CONTRIBUTING.md",
    *sorted((ROOT / "docs").rglob("*.md")),
]
#: A newcomer reads the README in five minutes; everything else belongs in docs/.
README_MAX_LINES = 320


def _name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_reference_matches_specs():
    generated = docs.block(REFERENCE_PAGE, docs.START, docs.END)
    assert generated.strip() == docs.reference().strip(), "run: python -m xlfuncs.docs"
    listed = docs.block(README, docs.LIST_START, docs.LIST_END)
    assert listed.strip() == docs.function_list().strip(), "run: python -m xlfuncs.docs"


def test_every_function_documented():
    for spec in REGISTRY.values():
        assert f"\n## {spec.excel_name}\n" in REFERENCE_PAGE
        assert f"`{spec.excel_name}(" in REFERENCE_PAGE
        assert f"(docs/reference.md#{spec.excel_name.lower()})" in README, (
            f"{spec.excel_name} not in the README's list"
        )
        assert spec.summary and spec.formula, spec.excel_name
        for arg in spec.args:
            assert arg.doc, f"{spec.excel_name}.{arg.name} has no description"


def test_ci_runs_the_readme_test_command():
    command = "bash scripts/test.sh"
    assert command in README
    ci = [
        line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line and not line.startswith("#")
    ]
    assert command in ci


def test_readme_is_short():
    lines = README.count("\n")
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines; move the detail to docs/"


CODE_BLOCK = re.compile(r"^```[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_examples_run(page):
    """Every ``>>>`` example in a page's code blocks, run in order with the page's own names."""
    code = "\n\n".join(CODE_BLOCK.findall(page.read_text(encoding="utf-8")))
    test = doctest.DocTestParser().get_doctest(code, {}, _name(page), str(page), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.failures == 0, f"{_name(page)}: {runner.failures} of {runner.tries} examples failed"


LINK = re.compile(r"\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*$", re.MULTILINE)
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


def _slug(heading: str) -> str:
    """A heading's anchor as MkDocs makes it (and GitHub, for the headings these pages use)."""
    text = unicodedata.normalize("NFKD", heading.replace("`", "")).encode("ascii", "ignore").decode()
    return re.sub(r"[-\s]+", "-", re.sub(r"[^\w\s-]", "", text).strip().lower())


def _anchors(page: Path) -> set[str]:
    return {_slug(h) for h in HEADING.findall(FENCE.sub("", page.read_text(encoding="utf-8")))}


@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_links_resolve(page):
    """Every relative link leads to a file that exists, and to a heading of it where it names one
    (mkdocs build --strict checks the site's own links too; this covers the README and the files
    the site includes)."""
    broken = []
    for target in LINK.findall(FENCE.sub("", page.read_text(encoding="utf-8"))):
        if re.match(r"[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists() or (anchor and file.suffix == ".md" and anchor not in _anchors(file)):
            broken.append(target)
    assert not broken, f"{_name(page)}: broken links {broken}"


#: A path of the repository written in backticks: `xlfuncs/calc/`, `tests/helpers/fuzz.py`, `bench/*.py`.
NAMED_PATH = re.compile(r"`((?:xlfuncs|tests|scripts|bench|workbooks|installer|docs)/[\w./*-]*)`")


@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_named_paths_exist(page):
    missing = [
        p for p in NAMED_PATH.findall(page.read_text(encoding="utf-8")) if not list(ROOT.glob(p.rstrip("/")))
    ]
    assert not missing, f"{_name(page)} names paths that do not exist: {missing}"
