#!/usr/bin/env bash
# Install xlfuncs with its test dependencies into .venv and run the whole test suite.
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -k officejs`.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
exec .venv/bin/python -m pytest "$@"
