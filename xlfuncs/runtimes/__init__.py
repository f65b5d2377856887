"""The hosts that run the functions: xlwings registration (classic and Office.js), the name check, the Lite export.

May import: :mod:`xlfuncs.framework`, :mod:`xlfuncs.functions`, xlwings and the standard library.
"""
