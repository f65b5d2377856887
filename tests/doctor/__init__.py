"""Tests of xlfuncs.doctor: one check per runtime, one line per finding."""
