"""The LibreOffice engine of ``xlfuncs calc``: headless Calc with the xlfuncs add-in.

* :mod:`.engine`: computing a workbook (and printing it), the add-in prepared once per version;
* :mod:`.rewrite`: the engine's copy of a workbook, our functions' formulas rewritten for Calc;
* :mod:`.instances`: the LibreOffice processes, one per concurrent run, kept loaded between runs
  (``XLFUNCS_LIBREOFFICE_KEEP``), ended by ``xlfuncs libreoffice stop``;
* :mod:`.service`: the script each of those LibreOffices runs, taking jobs on a socket;
* :mod:`.headless`: private profiles that recalculate on load, one-off conversions;
* :mod:`.freeze`: a copy with our functions' results frozen, for a LibreOffice without the add-in.

Finding LibreOffice and installing the add-in (``unopkg``) is :mod:`xlfuncs.runtimes.libreoffice`'s.
"""
