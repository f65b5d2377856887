#!/usr/bin/env bash
# Install everything the tests need and run the whole test suite.
#  - Debian packages, when missing: LibreOffice Calc with its Python bridge and IDL compiler
#    (the add-in xlfuncs.oxt is built, installed and tested in it; `xlfuncs calc`'s default
#    engine), numpy for LibreOffice's Python (the system python3), poppler-utils (pdftoppm, for
#    scripts/render.py), a headless Java runtime (default-jre-headless: OpenJDK 17 on Debian 12,
#    which Spark 4 needs, for the Spark tests of xlfuncs.sql).  LibreOffice comes from
#    <codename>-backports when the machine's Debian has it (25.2 on Debian 12, which binds our
#    Excel names in .xlsx files; Debian 12's own 7.4 does not): its source is the Debian mirror
#    and key of the machine's own apt sources;
#  - the machine's Debian's own LibreOffice (7.4 on Debian 12), unpacked, not installed, under
#    ~/.cache/xlfuncs/libreoffice-older by scripts/libreoffice-older.sh, for one test file;
#  - .venv with xlfuncs, its test dependencies, xlwings Server, the docs site's MkDocs and the
#    SQL engines DuckDB and Spark (editable install; the server extra installs only on
#    Python >= 3.11, else its test is skipped; `-m "not spark"` skips the Spark tests).
#  - then ruff (lint and format check), mypy, lint-imports (the layers' contracts in
#    pyproject.toml) and the docs site built with --strict (a broken link or a missing page
#    fails), which stop the run on any finding;
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -k officejs`.
set -euo pipefail
cd "$(dirname "$0")/.."
packages="libreoffice-calc libreoffice-dev python3-uno libreoffice-script-provider-python python3-numpy poppler-utils default-jre-headless"
missing=""
for p in $packages; do
  [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" == *"ok installed"* ]] || missing="$missing $p"
done
codename="$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")"
installed_lo="$(dpkg-query -W -f='${Version}' libreoffice-calc 2>/dev/null || echo 0)"
if [ -n "$missing" ] || { [ -n "$codename" ] && dpkg --compare-versions "$installed_lo" lt 4:25.2 \
     && ! [ -e /etc/apt/sources.list.d/xlfuncs-backports.sources ]; }; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  target=()
  if [ -n "$codename" ] && ! grep -rqs -- "$codename-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
    # the stanza of the machine's deb822 sources that serves "$codename" itself: its mirror and key
    source="$(awk -v RS= -v c="$codename" '$0 ~ "(^|\n)Suites:([^\n]* )?" c "( |\n|$)" {print; exit}' \
      /etc/apt/sources.list.d/*.sources 2>/dev/null || true)"
    uri="$(printf '%s\n' "$source" | awk '/^URIs:/ {print $2; exit}')"
    key="$(printf '%s\n' "$source" | awk '/^Signed-By:/ {print $2; exit}')"
    if [ -z "$uri" ]; then  # one-line sources.list: deb [options] URI codename components
      uri="$(awk -v c="$codename" '$1 == "deb" {for (i = 2; i < NF; i++) if ($(i + 1) == c && $i !~ /^\[/) {print $i; exit}}' \
        /etc/apt/sources.list 2>/dev/null || true)"
    fi
    if [ -n "$uri" ]; then
      { printf 'Types: deb\nURIs: %s\nSuites: %s-backports\nComponents: main\n' "$uri" "$codename"
        [ -z "$key" ] || printf 'Signed-By: %s\n' "$key"
      } | $sudo tee /etc/apt/sources.list.d/xlfuncs-backports.sources >/dev/null
    fi
  fi
  $sudo apt-get update -qq
  if [[ "$(apt-cache policy libreoffice-calc 2>/dev/null)" == *"$codename-backports"* ]]; then
    target=(-t "$codename-backports")
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${target[@]}" \
    $packages >/dev/null
fi
# Debian's own older LibreOffice (7.4 on Debian 12) unpacked beside the installed one, for
# tests/calc/test_libreoffice_older.py only (skipped when it cannot be had)
older="$(bash scripts/libreoffice-older.sh "${XDG_CACHE_HOME:-$HOME/.cache}/xlfuncs/libreoffice-older")" \
  || older=""
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test,server,docs,duckdb,spark]"
# The checks before the tests, each failing the run on any finding (settings in pyproject.toml).
echo "ruff check:" && .venv/bin/ruff check --quiet .
echo "ruff format --check:" && .venv/bin/ruff format --check --quiet .
echo "mypy:" && .venv/bin/mypy
echo "lint-imports:" && .venv/bin/lint-imports --no-cache --no-logo
echo "mkdocs build --strict:" && NO_MKDOCS_2_WARNING=1 .venv/bin/mkdocs build --strict --quiet
XLFUNCS_OLDER_SOFFICE="$older" exec .venv/bin/python -m pytest "$@"
