"""Helpers of the data-layer tests (not a test module)."""

from __future__ import annotations

import argparse
import os

from xlfuncs.data.commands import filings


def fetch(env: dict[str, str], urls: list[str]) -> None:
    """GET ``urls`` through the data layer's session: one process of the rate-limit test (spawned)."""
    os.environ.update(env)
    from xlfuncs.data import http

    for url in urls:
        http.get("sec", url)


def run_filings(*argv: str) -> int:
    """``xlfuncs filings ARGV`` through the subcommand's own parser."""
    parser = argparse.ArgumentParser(prog="xlfuncs filings")
    filings.add_arguments(parser)
    return filings.run(parser.parse_args(argv))
