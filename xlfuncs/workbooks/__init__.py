"""The workbooks: worked examples, templates, computing workbooks without Excel (calc, engines, xlsx parts), demo.

May import: every layer below (framework, functions, runtimes, windows) and openpyxl, XlsxWriter, formulas.
"""
