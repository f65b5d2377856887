#!/usr/bin/env bash
# Install everything the tests need and run the whole test suite.
#  - Debian packages: LibreOffice Calc (the second spreadsheet engine the template tests
#    compare against) and poppler-utils (pdftoppm, for scripts/render.py), when missing;
#  - .venv with xlfuncs, its test dependencies and xlwings Server (editable install; the
#    server extra installs only on Python >= 3.11, else its test is skipped).
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -k officejs`.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v soffice >/dev/null || ! command -v pdftoppm >/dev/null; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    libreoffice-calc poppler-utils >/dev/null
fi
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test,server]"
exec .venv/bin/python -m pytest "$@"
