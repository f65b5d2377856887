"""Tests of xlfuncs.framework: the spec, errors, values and the sheet call."""
