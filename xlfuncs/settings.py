r"""The user's settings: the environment first, then the config file.

Each setting ``name`` is read from ``XLFUNCS_<NAME>`` and else from the ``[xlfuncs]`` section
of the config file: ``XLFUNCS_CONFIG``, else ``config.ini`` in the user's config folder (as
:mod:`platformdirs` finds it on each system: ``~/.config/xlfuncs`` on Linux,
``%LOCALAPPDATA%\xlfuncs`` on Windows, ``~/Library/Application Support/xlfuncs`` on macOS).
Every reader of a setting (the language of the texts, the data sources' URLs, the cache) goes
through :func:`setting`, so one file configures them all.  Both are read at each call, so a
change takes effect without a restart.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

SECTION = "xlfuncs"


def config_path() -> Path:
    """The config file: ``XLFUNCS_CONFIG``, else ``config.ini`` in the user's config folder."""
    explicit = os.environ.get("XLFUNCS_CONFIG")
    if explicit:
        return Path(explicit)
    import platformdirs

    return Path(platformdirs.user_config_dir("xlfuncs", appauthor=False)) / "config.ini"


def setting(name: str) -> str | None:
    """``XLFUNCS_<NAME>`` or the config file's ``name``; None when neither is set (or empty).

    A config file that is missing or unreadable sets nothing: no setting is ever required.
    """
    value = os.environ.get("XLFUNCS_" + name.upper())
    if value is None:
        import configparser  # here: the LibreOffice add-in imports this module while Calc starts

        parser = configparser.ConfigParser(interpolation=None)
        with contextlib.suppress(OSError, UnicodeDecodeError, configparser.Error):
            parser.read(config_path(), encoding="utf-8")
        value = parser.get(SECTION, name, fallback=None)
    value = value.strip() if value else None
    return value or None
