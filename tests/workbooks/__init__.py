"""Tests of xlfuncs.workbooks: the template builders, worked examples and demo."""
