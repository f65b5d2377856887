"""What keeps a large worksheet call on xlwings Server from holding up everyone else's calls.

The server (:mod:`.server`) computes a large call in a worker thread, but a thread holds Python's
GIL through any single long step, and the event loop answering the one-cell calls waits for it.
Two such steps are avoidable: the cyclic garbage collector's full passes over the large call's
objects (:func:`collector_paused`) and one ``json.dumps`` of the whole answer (:func:`answer_json`).
Standard library only, so this is tested without xlwings Server.
"""

from __future__ import annotations

import contextlib
import gc
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

__all__ = ["ANSWER_ROWS", "MAX_COLLECTOR_PAUSE", "answer_json", "collector_paused"]

#: Rows of a result encoded by one ``json.dumps`` call (see :func:`answer_json`).
ANSWER_ROWS = 4096


def answer_json(result: Any) -> bytes:
    """``json.dumps({"result": result})``, a list's rows encoded :data:`ANSWER_ROWS` at a time: one
    ``json.dumps`` holds the GIL until it returns, which for a large result would hold up the event
    loop's one-cell calls all that while.  The bytes are the same.
    """
    if not isinstance(result, list) or len(result) <= ANSWER_ROWS:
        return json.dumps({"result": result}).encode()
    pieces = [json.dumps(result[i : i + ANSWER_ROWS])[1:-1] for i in range(0, len(result), ANSWER_ROWS)]
    return ('{"result": [' + ", ".join(pieces) + "]}").encode()


#: Longest the cyclic garbage collector stays paused while large calls overlap without a break,
#: seconds; then a call that ends collects once.
MAX_COLLECTOR_PAUSE = 10.0
_collector = threading.Lock()
#: Large calls computing; whether the collector was on before the first; since when it is paused.
_collector_state = {"calls": 0, "was_enabled": False, "since": 0.0}


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a large call decodes, computes and answers.

    A large call builds millions of lists and floats that stay alive until it is answered, so the
    heap grows by a quarter again and again, and each time the collector walks all of it with the
    GIL held and finds nothing to free: a stall of every one-cell call on the event loop, and the
    large call itself slowed. Reference counting frees everything else meanwhile; the collector is
    switched back on when the last overlapping large call ends, and collects at the end of a call
    once it has been paused for :data:`MAX_COLLECTOR_PAUSE` seconds (large calls back to back).
    """
    state = _collector_state
    with _collector:
        if state["calls"] == 0:
            state["was_enabled"], state["since"] = gc.isenabled(), time.monotonic()
            gc.disable()
        state["calls"] += 1
    try:
        yield
    finally:
        with _collector:
            state["calls"] -= 1
            if state["was_enabled"]:  # (a collector switched off before stays off)
                if state["calls"] == 0:
                    gc.enable()
                elif time.monotonic() - state["since"] > MAX_COLLECTOR_PAUSE:
                    state["since"] = time.monotonic()
                    gc.collect()
