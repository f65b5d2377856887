"""pytest configuration shared by the whole repository."""

import os

# --doctest-modules imports every module under xlfuncs/; this one imports xlwings Server,
# which reads the project settings, needs a licence key and sets XLWINGS_ON_SERVER in the
# process (see its docstring).  It is tested in its own server process instead
# (tests/runtimes/test_server.py).
collect_ignore = ["xlfuncs/runtimes/server.py"]

# No test reaches the network: the functions that fetch (FILING, COINPRICE...) answer from the
# cache only, here and in every process a test starts.  tests/data clears this and points the
# sources at a local server instead.
os.environ.setdefault("XLFUNCS_OFFLINE", "1")
# Nor does the developer's own config file (language, data sources) change what a test sees:
# an empty one stands in for it; the tests of settings point XLFUNCS_CONFIG at their own.
os.environ.setdefault("XLFUNCS_CONFIG", os.devnull)


def pytest_sessionfinish(session, exitstatus):
    """End the LibreOffice instances the tests' ``xlfuncs calc`` runs kept loaded."""
    from xlfuncs.calc.libreoffice import instances
    from xlfuncs.runtimes.libreoffice import office

    instances.stop_all(office.cache_root())
