from __future__ import annotations

from typing import Any

import pytest

from tests.helpers.sql_universe import expected, make_universe
from xlfuncs.sql.signatures import Signature


@pytest.fixture(scope="session")
def universe() -> dict[str, list[Any]]:
    return make_universe()


@pytest.fixture(scope="session")
def worksheet(universe):
    """The worksheet layer's result column of a call, computed once per session."""
    cache: dict[tuple[str, int], list[Any]] = {}

    def result(sig: Signature, given: int) -> list[Any]:
        key = (sig.name, given)
        if key not in cache:
            cache[key] = expected(sig, universe, given)
        return cache[key]

    return result
