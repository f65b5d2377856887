"""The functions as a LibreOffice Calc add-in (``xlfuncs libreoffice build|install|uninstall``).

* :mod:`.addin`: what runs inside Calc: one method per function of
  :data:`xlfuncs.REGISTRY`, through the same worksheet layer
  (:mod:`xlfuncs.framework.sheet`) as in Excel, with Excel error values encoded as
  Calc's own error values.  Packed into the extension with the core.
* :mod:`.build`: the extension ``xlfuncs.oxt`` generated from the registry: UNO IDL and its
  type library, the Python component, ``CalcAddIns.xcu`` (Function Wizard texts and the
  Excel names), manifest and description.
* :mod:`.office`: finding LibreOffice, private profiles, installing with ``unopkg``.
* :mod:`.service`: the script a LibreOffice of ``xlfuncs calc`` runs, taking jobs (compute a
  book, hand back every formula cell's value) on a socket.
* :mod:`.instances`: those LibreOffice instances: one per concurrent run, kept loaded between
  runs for a while (``XLFUNCS_LIBREOFFICE_KEEP``), ``xlfuncs libreoffice stop``.

This package imports nothing of LibreOffice: :mod:`.addin` and :mod:`.service` run inside
LibreOffice; the add-in receives UNO's classes from the generated component, the service
imports ``uno`` only there.
"""
