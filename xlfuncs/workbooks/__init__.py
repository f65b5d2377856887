"""The template workbooks: their builders, the worked examples of both articles, the demo, and
a company's model from its filings.

May import: every layer below (framework, functions, data, runtimes, xlsx, calc, windows) and openpyxl, XlsxWriter.
"""
