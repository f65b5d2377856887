"""The template workbooks: their builders, the worked examples of both articles, and the demo.

May import: every layer below (framework, functions, runtimes, xlsx, calc, windows) and openpyxl, XlsxWriter.
"""
