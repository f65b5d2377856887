"""The functions as a LibreOffice Calc add-in (``xlfuncs libreoffice build|install|uninstall``).

* :mod:`.addin`: what runs inside Calc: one method per function of
  :data:`xlfuncs.REGISTRY`, through the same worksheet layer
  (:mod:`xlfuncs.framework.sheet`) as in Excel, with Excel error values encoded as
  Calc's own error values.  Packed into the extension with the core.
* :mod:`.build`: the extension ``xlfuncs.oxt`` generated from the registry: UNO IDL and its
  type library, the Python component, ``CalcAddIns.xcu`` (Function Wizard texts and the
  Excel names), manifest and description.
* :mod:`.office`: finding LibreOffice and its version, installing with ``unopkg``.

This package imports nothing of LibreOffice: :mod:`.addin` runs inside LibreOffice and receives
UNO's classes from the generated component.  The calculator's LibreOffice engine, which runs
the add-in headless, is :mod:`xlfuncs.calc.libreoffice`.
"""
