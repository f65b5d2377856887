"""The desktop-Excel installer for Windows: install/uninstall, the add-in file, the config file.

May import: :mod:`xlfuncs.runtimes` and the layers below it; never :mod:`xlfuncs.workbooks`.
"""
