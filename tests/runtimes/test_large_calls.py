"""The steps that keep a large call on xlwings Server from stalling the others (no server needed)."""

from __future__ import annotations

import gc
import json
import threading

import pytest

from xlfuncs.runtimes import large_calls
from xlfuncs.runtimes.large_calls import ANSWER_ROWS, answer_json, collector_paused


@pytest.mark.parametrize(
    "result",
    [
        [],
        [[1.5]],
        [[1.0, "#N/A", None, True]] * (ANSWER_ROWS - 1),
        [[float(i), f"t{i}"] for i in range(ANSWER_ROWS * 2 + 7)],  # three pieces, the last short
        [[i] for i in range(ANSWER_ROWS)],
        [[i] for i in range(ANSWER_ROWS + 1)],
        "#VALUE!",
        2.5,
    ],
)
def test_the_answer_is_the_bytes_one_dumps_gives(result):
    assert answer_json(result) == json.dumps({"result": result}).encode()


@pytest.fixture
def collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_the_collector_is_paused_until_the_last_overlapping_call_ends(collector_on):
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def first():
        with collector_paused():
            first_in.set()
            second_in.wait(5)
            seen["first, both running"] = gc.isenabled()
        first_out.set()

    thread = threading.Thread(target=first)
    thread.start()
    first_in.wait(5)
    with collector_paused():
        second_in.set()
        first_out.wait(5)
        seen["second, first ended"] = gc.isenabled()
    thread.join(5)
    assert seen == {"first, both running": False, "second, first ended": False}
    assert gc.isenabled()


def test_a_collector_switched_off_before_stays_off(collector_on):
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_calls_back_to_back_collect_once_the_pause_is_long(collector_on, monkeypatch):
    collected = []
    monkeypatch.setattr(large_calls, "MAX_COLLECTOR_PAUSE", 0.0)
    monkeypatch.setattr(gc, "collect", lambda *a: collected.append(a) or 0)
    with collector_paused():
        with collector_paused():  # a second call overlapping the first ends while it still runs
            pass
        assert collected == [()] and not gc.isenabled()
    assert collected == [()] and gc.isenabled()
