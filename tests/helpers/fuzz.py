"""The scale of the fuzzed hostile-input tests.

Deterministic (seeded) random cases, so a failure names a case that can be rerun.
``XLFUNCS_FUZZ_EXAMPLES`` scales the counts (CI, 100,000: 10 times the default).
"""

from __future__ import annotations

import os

SCALE = min(10, max(1, int(os.environ.get("XLFUNCS_FUZZ_EXAMPLES", "2000")) // 2000))  # CI: 10
