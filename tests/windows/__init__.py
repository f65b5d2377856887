"""Tests of xlfuncs.windows: the installer, the add-in file, the xlwings config."""
