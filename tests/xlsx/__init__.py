"""Tests of xlfuncs.xlsx: reading, patching and writing OOXML packages."""
