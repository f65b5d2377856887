"""Declaring a function and calling it: errors, cell values, argument rules, the spec, worksheet semantics.

May import: numpy and the standard library (pandas only duck-typed); nothing of xlwings or the layers above.
"""
