"""Tests of xlfuncs.functions: the kernels, against values from sources."""
