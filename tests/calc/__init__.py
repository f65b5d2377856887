"""Tests of xlfuncs.calc: the headless calculator and its engines."""
