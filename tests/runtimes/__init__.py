"""Tests of xlfuncs.runtimes: xlwings classic and Office.js, Lite, Server, the LibreOffice add-in."""
