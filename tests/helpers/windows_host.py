"""A recording fake of the Windows side of ``xlfuncs install`` (Excel over COM, xlwings' CLI).

``import_functions`` records the call and marks the add-in as Excel would save it;
``xlwings addin install/remove -f`` copies into / deletes from a fake XLSTART, as xlwings does.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from xlfuncs.windows import addin

XLWINGS_SAID = "Error: Failed to install the add-in: If Excel is running, quit Excel and try again."


class FakeHost:
    """Records the Excel and xlwings actions; answers the queries from its attributes."""

    def __init__(
        self, root: Path, excel=r"C:\Program Files\Microsoft Office\root\Office16", trusted=True, copies=True
    ):
        self.xlstart = root / "AppData" / "Roaming" / "Microsoft" / "Excel" / "XLSTART"
        self.xlstart.mkdir(parents=True)
        self.excel, self.trusted, self.copies = excel, trusted, copies
        self.calls = []

    def startup_folder(self):
        return self.xlstart

    def excel_path(self):
        return self.excel

    def vba_access_trusted(self):
        return self.trusted

    def import_functions(self, xlam, project, modules, lang):
        self.calls.append(
            ("import_functions", xlam.name, project, modules) + (() if lang == "en" else (lang,))
        )
        assert addin.inspect_addin(xlam).config_sheet == "xlfuncs.conf"
        with zipfile.ZipFile(xlam, "a") as book:  # Excel saves the add-in with the wrappers
            book.writestr("xl/saved-by-excel.txt", "wrappers imported")

    def xlwings_cli(self, *args):
        self.calls.append(("xlwings", *args))
        command, file = args[:2], Path(args[3])
        if command == ("addin", "install"):
            if not self.copies:
                return XLWINGS_SAID
            shutil.copyfile(file, self.xlstart / file.name)
            return "Successfully installed the xlwings add-in!"
        (self.xlstart / file.name).unlink()
        return "Successfully removed the add-in!"
