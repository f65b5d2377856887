"""Reading, patching and writing .xlsx packages (OOXML), as text, within stated limits.

* :mod:`.package`: the zip package read within limits, its parts found as Excel finds them;
* :mod:`.sheet`: the one scanner of sheet XML (cells, formulas, values, data tables, merges);
* :mod:`.refs`: A1 references;
* :mod:`.patch`: cached values written into sheets, every other byte kept;
* :mod:`.writes`: safe writes (a temporary file, then one atomic replace; links refused);
* :mod:`.calls`: how a workbook stores calls to our functions for each runtime.

May import: :mod:`xlfuncs.runtimes` and the layers below it, and the standard library.
"""
