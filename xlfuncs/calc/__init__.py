"""``xlfuncs calc``: compute a workbook without Excel and store the results in it.

* :mod:`.workbook`: a workbook's way from file to file (:func:`~.workbook.calc`,
  :func:`~.workbook.compute`, :func:`~.workbook.write_values`);
* :mod:`.engines`: the engine interface and ``--engine`` (``auto``, ``libreoffice``, ``formulas``);
* :mod:`.formulas_engine`: the ``formulas`` package with our functions registered;
* :mod:`.libreoffice`: headless LibreOffice with the xlfuncs add-in;
* :mod:`.results`: values, :class:`~.results.ExcelError`, the problems reported, the summary;
* :mod:`.command`: the command line.

docs/architecture.md shows how a workbook flows through these modules.

May import: :mod:`xlfuncs.xlsx`, :mod:`xlfuncs.runtimes` and the layers below them, and formulas;
LibreOffice's own modules (uno) only in the code that runs inside LibreOffice.
"""
