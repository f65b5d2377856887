"""Run xlwings' REAL classic (Windows/COM, VBA-wrapper) UDF code paths on Linux.

Target: xlwings 0.37.8.  What is real and what is faked:

Real, unmodified xlwings code
  * ``xlwings._xlwindows`` is really imported (its "excel" engine:
    ``clean_value_data`` with ``err_to_str``, ``prepare_xl_data_element``,
    ``is_range_instance``, ``Range.raw_value``...).  Only for the duration of that
    import, ``ctypes.oledll``/``windll``/``PyDLL`` are replaced by no-op fakes,
    because its module level loads Windows DLLs.
  * ``xlwings.udfs`` (``xlfunc``/``xlarg``/``xlret``, ``func_sig``,
    ``generate_vba_wrapper``, ``import_udfs``, ``call_udf``) and the conversion
    pipeline (``xlwings.conversion``) are really imported and run.
  * ``xlwings.com_server``: calls go through its ``XLPython.CallUDF`` (including
    ``FromVariant`` and the 1x1 -> scalar / 1xN -> row squeeze) and
    ``XLPython.Call/Module/Tuple/Str``, as the VBA in ``xlwings.bas`` calls them.
  * ``install()`` rebinds ``xlwings.func/arg/ret/...`` to the classic decorators the
    way ``xlwings/__init__.py`` does on Windows.

Stubbed / faked (so NOT tested here; needs Windows desktop Excel)
  * pywin32 (``pywintypes``, ``pythoncom``, ``win32api``, ``win32com`` ...): stub
    modules.  Calls that would need Windows raise ``_NoWindows``; a few are
    harmless stand-ins (``CoInitialize`` does nothing, interface marshalling is the
    identity, ``GetWindowThreadProcessId`` returns the fake window handle).
  * COM objects: ``PyIDispatch``/``CDispatch`` are minimal fakes; the VARIANT
    marshalling of pywin32 is modelled by ``to_com`` (numbers -> float, errors ->
    int codes, omitted -> ``MISSING``), not executed.
  * Excel itself: ``FakeWorkbook`` records ``VBComponents.Import`` and
    ``Application.MacroOptions`` instead of compiling VBA; ``Ref`` is a fake Range.
    Whether the generated VBA compiles, and what Excel shows in a cell, is not
    checked.  Not covered either: ``expand=``, ``async_mode``, the reserved
    ``caller`` argument beyond a fake ``ComRange``, real date conversion.

Usage (fresh process, before anything imports xlwings or your UDF module)::

    import classic_harness as classic    # with tests/helpers/ on sys.path
    classic.install()                     # stubs pywin32, binds xw.func = udfs.xlfunc ...
    import my_udfs                        # now registered by the real classic decorator
    bas, macro_options = classic.import_udfs("my_udfs")
    classic.call_udf("my_udfs", "MARKETCAP", 10.0, classic.Ref([[1.0, 2.0]]))

Importing this module has no side effects; only ``install()`` touches ``sys.modules``.

Argument values are given "as COM delivers them" (see ``to_com``):
  float for numbers (ints are coerced to float, except error codes and MISSING),
  str, bool, None for an empty cell, int error codes (``ERR["#N/A"]`` ...),
  ``MISSING`` for an omitted optional argument, tuples of tuples for 2-D arrays,
  datetime -> pywintypes.TimeType (UTC) stand-in.
A plain value models what VBA passes for a literal / expression / array constant.
``Ref(values)`` models a *cell reference*: VBA then passes an Excel Range object,
xlwings detects it with the real ``is_range_instance`` and reads it through the real
``_xlwindows.Range.raw_value`` (= ``Range.Value``) of a fake COM Range.
"""

from __future__ import annotations

import datetime as _dt
import importlib
import os
import sys
import threading
import types
import warnings

__all__ = [
    "ERR",
    "ERR_BY_CODE",
    "MISSING",
    "STUB_MODULES",
    "FakeWorkbook",
    "Ref",
    "call_udf",
    "import_udfs",
    "install",
    "to_com",
]

# DISP_E_PARAMNOTFOUND: what pywin32 hands Python for an omitted Optional VBA argument
MISSING = -2147352572

# Excel CVErr values as pywin32 delivers them (VT_ERROR -> int). Must equal
# xlwings._xlwindows.cell_errors (checked in install()).
ERR = {
    "#NULL!": -2146826288,  # xlErrNull  2000
    "#DIV/0!": -2146826281,  # xlErrDiv0  2007
    "#VALUE!": -2146826273,  # xlErrValue 2015
    "#REF!": -2146826265,  # xlErrRef   2023
    "#NAME?": -2146826259,  # xlErrName  2029
    "#NUM!": -2146826252,  # xlErrNum   2036
    "#N/A": -2146826246,  # xlErrNA    2042
}
ERR_BY_CODE = {v: k for k, v in ERR.items()}
#: Excel's newer error values (0x800A0000 + XlCVError), which xlwings' err_to_str does not know.
NEWER_ERR = {
    "#GETTING_DATA": -2146826245,  # xlErrGettingData 2043
    "#SPILL!": -2146826243,  # xlErrSpill 2045
    "#CALC!": -2146826238,  # xlErrCalc 2050
}

RANGE_IID = "{00020846-0000-0000-C000-000000000046}"  # Excel.Range (used by is_range_instance)
IDISPATCH_IID = "{00020400-0000-0000-C000-000000000046}"
IENUMVARIANT_IID = "{00020404-0000-0000-C000-000000000046}"

STUB_MODULES = (
    "pywintypes",
    "pythoncom",
    "win32api",
    "win32con",
    "win32gui",
    "win32process",
    "win32event",
    "win32timezone",
    "win32com",
    "win32com.client",
    "win32com.client.gencache",
    "win32com.server",
    "win32com.server.dispatcher",
    "win32com.server.policy",
    "win32com.server.util",
    "win32com.server.exception",
)

_STUB_MARK = "__classic_harness_stub__"
_installed = False
_loop_started = False
_lock = threading.Lock()


class _NoWindows(NotImplementedError):
    pass


def _no_windows(name):
    def f(*args, **kwargs):
        raise _NoWindows(f"classic harness: {name}() needs real Windows/COM (pywin32 is stubbed)")

    f.__name__ = name.rsplit(".", 1)[-1]
    return f


# --------------------------------------------------------------------------------------
# Fake COM objects
# --------------------------------------------------------------------------------------
class _TypeAttr:
    def __init__(self, iid):
        self.iid = iid


class _TypeInfo:
    def __init__(self, typename, iid):
        self._typename, self._iid = typename, iid

    def GetTypeAttr(self):
        return _TypeAttr(self._iid)

    def GetDocumentation(self, index):
        return (self._typename, None, 0, None)


class PyIDispatch:
    """Stand-in for pywin32's raw ``PyIDispatch`` (registered as
    ``pythoncom.TypeIIDs[pythoncom.IID_IDispatch]``, which com_server.FromVariant
    compares with ``type(obj) is PyIDispatch``). Members come from a dict; a callable
    stored under ``"__call__"``/``"__iter__"`` implements COM default member / _NewEnum."""

    def __init__(self, typename, members=None, iid=None):
        object.__setattr__(self, "_typename", typename)
        object.__setattr__(self, "_members", dict(members or {}))
        object.__setattr__(self, "_iid", _IID(iid) if iid else None)

    def GetTypeInfo(self):
        return _TypeInfo(self._typename, self._iid)

    def __getattr__(self, name):
        members = object.__getattribute__(self, "_members")
        if name in members:
            return members[name]
        raise AttributeError(f"<fake COM {self._typename}>.{name}")

    def __setattr__(self, name, value):
        self._members[name] = value

    def __call__(self, *args, **kwargs):
        return self._members["__call__"](*args, **kwargs)

    def __iter__(self):
        return iter(self._members["__iter__"]())

    def __repr__(self):
        return f"<fake PyIDispatch {self._typename}>"


def _wrap_result(v):
    return CDispatch(v, userName=v._typename) if type(v) is PyIDispatch else v


class CDispatch:
    """Minimal win32com.client.dynamic.CDispatch: wraps a PyIDispatch in ``_oleobj_``
    and wraps IDispatch results again (like pywin32's late-bound dispatch)."""

    def __init__(self, IDispatch, olerepr=None, userName=None, lazydata=None):
        self.__dict__["_oleobj_"] = IDispatch
        self.__dict__["_username_"] = userName or "<unknown>"

    def __getattr__(self, attr):
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        return _wrap_result(getattr(self.__dict__["_oleobj_"], attr))

    def __setattr__(self, attr, value):
        setattr(self.__dict__["_oleobj_"], attr, value)

    def __call__(self, *args, **kwargs):
        return _wrap_result(self.__dict__["_oleobj_"](*args, **kwargs))

    def __iter__(self):
        for v in self.__dict__["_oleobj_"]:
            yield _wrap_result(v)

    def __repr__(self):
        return f"<COMObject {self._username_}>"


class _IID(str):
    """pywintypes.IID stand-in: case-insensitive, comparable GUID string."""

    def __new__(cls, s, is_bytes=False):
        return super().__new__(cls, str(s).upper())


def _dispatch(dispatch, userName=None, resultCLSID=None, typeinfo=None, clsctx=None, **kw):
    if isinstance(dispatch, str):  # ProgID, e.g. Dispatch("Excel.Application")
        import pywintypes

        raise pywintypes.com_error(-2147221005, "Invalid class string", None, None)
    if isinstance(dispatch, CDispatch):
        return dispatch
    ole = getattr(dispatch, "_oleobj_", dispatch)
    return CDispatch(ole, userName=userName or getattr(ole, "_typename", None))


# --------------------------------------------------------------------------------------
# pywin32 stub modules
# --------------------------------------------------------------------------------------
def _mod(name, package=False, **attrs):
    m = types.ModuleType(name, f"classic harness stub of pywin32's {name}")
    m.__file__ = f"<classic-harness stub {name}>"
    setattr(m, _STUB_MARK, True)
    if package:
        m.__path__ = []
    for k, v in attrs.items():
        setattr(m, k, v)
    return m


def _build_stubs():
    # pywintypes ----------------------------------------------------------------------
    class error(Exception):
        def __init__(self, *args):
            super().__init__(*args)
            self.winerror = args[0] if args else None

    class com_error(Exception):
        """pywintypes.com_error(hresult, strerror, excepinfo, argerror)"""

        def __init__(self, hresult=None, strerror=None, excepinfo=None, argerror=None):
            super().__init__(hresult, strerror, excepinfo, argerror)
            self.hresult, self.strerror = hresult, strerror
            self.excepinfo, self.argerror = excepinfo, argerror

    class TimeType(_dt.datetime):
        """pywintypes.TimeType stand-in (pywin32 returns tz-aware UTC datetimes)."""

    pywintypes = _mod(
        "pywintypes",
        error=error,
        com_error=com_error,
        TimeType=TimeType,
        IID=_IID,
        Time=lambda v: TimeType.fromtimestamp(v) if isinstance(v, (int, float)) else v,
        UnicodeType=str,
    )

    # pythoncom -----------------------------------------------------------------------
    class _Stream:
        def __init__(self, obj):
            self.obj = obj

    pythoncom = _mod(
        "pythoncom",
        com_error=com_error,
        ole_error=com_error,
        error=com_error,
        IID_IDispatch=_IID(IDISPATCH_IID),
        IID_IEnumVARIANT=_IID(IENUMVARIANT_IID),
        TypeIIDs={_IID(IDISPATCH_IID): PyIDispatch},
        PyIDispatchType=PyIDispatch,
        CoInitialize=lambda: None,
        CoInitializeEx=lambda flags=0: None,
        CoUninitialize=lambda: None,
        # identity "marshalling" so that ComRange (the reserved `caller` arg) can be built
        CoMarshalInterThreadInterfaceInStream=lambda iid, obj: _Stream(obj),
        CoGetInterfaceAndReleaseStream=lambda stream, iid: stream.obj,
        DISPATCH_PROPERTYGET=2,
        DISPATCH_PROPERTYPUT=4,
        CLSCTX_LOCAL_SERVER=4,
        CLSCTX_SERVER=21,
        REGCLS_MULTIPLEUSE=1,
        REGCLS_SUSPENDED=4,
        new=_no_windows("pythoncom.new"),
        MakePyFactory=_no_windows("pythoncom.MakePyFactory"),
        CoRegisterClassObject=_no_windows("pythoncom.CoRegisterClassObject"),
        CoResumeClassObjects=_no_windows("pythoncom.CoResumeClassObjects"),
        CoRevokeClassObject=_no_windows("pythoncom.CoRevokeClassObject"),
        EnableQuitMessage=_no_windows("pythoncom.EnableQuitMessage"),
        PumpWaitingMessages=_no_windows("pythoncom.PumpWaitingMessages"),
        UnwrapObject=_no_windows("pythoncom.UnwrapObject"),
    )

    # win32api / win32con / win32gui / win32process / win32event / win32timezone --------
    win32api = _mod(
        "win32api",
        GetCurrentThreadId=lambda: threading.get_ident(),
        OpenProcess=_no_windows("win32api.OpenProcess"),
        TerminateProcess=_no_windows("win32api.TerminateProcess"),
        CloseHandle=_no_windows("win32api.CloseHandle"),
        MessageBox=_no_windows("win32api.MessageBox"),
    )
    win32con = _mod(
        "win32con",
        MB_OK=0,
        MB_OKCANCEL=1,
        MB_YESNOCANCEL=3,
        MB_YESNO=4,
        MB_ICONWARNING=48,
        MB_ICONINFORMATION=64,
    )
    win32gui = _mod("win32gui", FindWindowEx=_no_windows("win32gui.FindWindowEx"))
    # App(xl=...).__init__ reads .pid -> GetWindowThreadProcessId(xl.Hwnd)[1]; the fake
    # returns (0, hwnd) so that the fake Application's Hwnd doubles as its "pid".
    win32process = _mod("win32process", GetWindowThreadProcessId=lambda hwnd: (0, hwnd))
    win32event = _mod(
        "win32event",
        INFINITE=0xFFFFFFFF,
        QS_ALLEVENTS=0x04BF,
        WAIT_OBJECT_0=0,
        MsgWaitForMultipleObjects=_no_windows("win32event.MsgWaitForMultipleObjects"),
    )

    class TimeZoneInfo:
        @staticmethod
        def utc():
            return _dt.timezone.utc

    win32timezone = _mod("win32timezone", TimeZoneInfo=TimeZoneInfo)

    # win32com ------------------------------------------------------------------------
    class DispatchBaseClass:
        pass

    class CoClassBaseClass:  # replaced by xlwings._win32patch at import
        pass

    gencache = _mod(
        "win32com.client.gencache",
        EnsureModule=_no_windows("win32com.client.gencache.EnsureModule"),
    )
    client = _mod(
        "win32com.client",
        package=True,
        Dispatch=_dispatch,
        DispatchEx=_dispatch,
        CDispatch=CDispatch,
        DispatchBaseClass=DispatchBaseClass,
        CoClassBaseClass=CoClassBaseClass,
        gencache=gencache,
    )

    class _Wrapped:
        """What server.util.wrap returns (a COM interface to a Python server object)."""

        def __init__(self, ob):
            self._obj_ = ob

    def wrap(ob, iid=None, usePolicy=None, useDispatcher=None):
        return _Wrapped(ob)

    def unwrap(ob):
        if isinstance(ob, _Wrapped):
            return ob._obj_
        raise TypeError("not a wrapped Python COM server object")

    class COMException(Exception):
        def __init__(self, description=None, scode=None, **kw):
            super().__init__(description, scode)
            self.scode = scode

    class DefaultPolicy:
        pass

    s_util = _mod("win32com.server.util", wrap=wrap, unwrap=unwrap)
    s_exc = _mod("win32com.server.exception", COMException=COMException)
    s_pol = _mod("win32com.server.policy", DefaultPolicy=DefaultPolicy)
    s_disp = _mod("win32com.server.dispatcher")
    server = _mod(
        "win32com.server",
        package=True,
        util=s_util,
        exception=s_exc,
        policy=s_pol,
        dispatcher=s_disp,
    )
    win32com = _mod("win32com", package=True, client=client, server=server)

    return {
        "pywintypes": pywintypes,
        "pythoncom": pythoncom,
        "win32api": win32api,
        "win32con": win32con,
        "win32gui": win32gui,
        "win32process": win32process,
        "win32event": win32event,
        "win32timezone": win32timezone,
        "win32com": win32com,
        "win32com.client": client,
        "win32com.client.gencache": gencache,
        "win32com.server": server,
        "win32com.server.dispatcher": s_disp,
        "win32com.server.policy": s_pol,
        "win32com.server.util": s_util,
        "win32com.server.exception": s_exc,
    }


class _FakeDLL:
    """ctypes stand-in for _xlwindows' module-level ``oledll.ole32.CLSIDFromString(...)``
    and ``PyDLL(pythoncom.__file__).PyCom_PyObjectFromIUnknown``. Calls are no-ops at
    import time only; _xlwindows keeps these objects in its globals."""

    def __init__(self, name="dll"):
        self._name = name
        self.restype = None

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _FakeDLL(f"{self._name}.{name}")

    def __call__(self, *args, **kwargs):
        if self._name in ("oledll.ole32.CLSIDFromString",):
            return 0
        raise _NoWindows(f"classic harness: ctypes {self._name}() needs Windows")


def _import_xlwindows():
    """Really import xlwings._xlwindows. ctypes on Linux lacks oledll/windll and
    PyDLL(pythoncom.__file__) can't load a stub, so those three names are patched on
    the ctypes module *only for the duration of the import* and restored afterwards."""
    import ctypes

    saved = {n: getattr(ctypes, n) for n in ("oledll", "windll", "PyDLL") if hasattr(ctypes, n)}
    ctypes.oledll = _FakeDLL("oledll")
    ctypes.windll = _FakeDLL("windll")
    ctypes.PyDLL = lambda path, *a, **k: _FakeDLL(f"PyDLL({path})")
    try:
        return importlib.import_module("xlwings._xlwindows")
    finally:
        for n in ("oledll", "windll", "PyDLL"):
            if n in saved:
                setattr(ctypes, n, saved[n])
            else:
                delattr(ctypes, n)


def install():
    """Stub pywin32, really import xlwings._xlwindows/udfs/com_server, register the
    "excel" engine and rebind xlwings.func/arg/ret/script/sub/import_udfs/... the way
    xlwings/__init__.py does on Windows. Idempotent."""
    global _installed
    with _lock:
        if _installed:
            return
        for name in STUB_MODULES:
            m = sys.modules.get(name)
            if m is not None and not getattr(m, _STUB_MARK, False):
                raise RuntimeError(f"real {name} is already imported; refusing to stub pywin32")
        if "xlwings" in sys.modules:
            warnings.warn(
                "classic_harness.install() called after xlwings was imported: modules that were "
                "already decorated with the no-op xlwings.func are NOT registered.",
                stacklevel=2,
            )
        if os.environ.get("XLWINGS_ON_SERVER") == "true":
            raise RuntimeError("XLWINGS_ON_SERVER=true selects the Office.js decorators; unset it")
        sys.modules.update(_build_stubs())

        import xlwings
        from xlwings.main import Engine

        _xlwindows = _import_xlwindows()
        # as in xlwings/__init__.py (Windows branch)
        if "excel" not in [e.name for e in xlwings.engines]:
            xlwings.engines.add(Engine(impl=_xlwindows.engine))
        xlwings.engines.active = xlwings.engines["excel"]
        xlwings.has_pywin32 = True

        from xlwings import com_server, udfs

        xlwings.serve = com_server.serve
        xlwings.get_udf_module = udfs.get_udf_module
        xlwings.import_udfs = udfs.import_udfs
        xlwings.arg = udfs.xlarg
        xlwings.func = udfs.xlfunc
        xlwings.ret = udfs.xlret
        xlwings.script = udfs.xlsub
        xlwings.sub = udfs.xlsub

        code_map = {v: k for k, v in ERR.items()}
        if code_map != _xlwindows.cell_errors:
            raise AssertionError(f"ERR table out of sync with xlwings: {_xlwindows.cell_errors}")
        _installed = True


def _require_installed():
    if not _installed:
        raise RuntimeError("call classic_harness.install() first")


def _start_com_loop():
    """com_server.serve() normally starts this thread; call_udf needs it for async UDFs."""
    global _loop_started
    from xlwings import com_server

    with _lock:
        if not _loop_started and not com_server.loop.is_running():
            threading.Thread(target=com_server._start_background_loop, daemon=True).start()
            _loop_started = True


# --------------------------------------------------------------------------------------
# Values as COM delivers them, fake Range / Workbook
# --------------------------------------------------------------------------------------
def to_com(value):
    """Normalise a Python value to what pywin32 hands CallUDF for a VBA Variant."""
    if isinstance(value, Ref):
        return value.com()
    if isinstance(value, PyIDispatch) or value is None or isinstance(value, (bool, str, float)):
        return value
    if isinstance(value, int):
        if value == MISSING or value in ERR_BY_CODE or value in NEWER_ERR.values():
            return value
        return float(value)  # Excel numbers are Doubles
    if isinstance(value, (_dt.datetime, _dt.date)):
        import pywintypes

        if not isinstance(value, _dt.datetime):
            value = _dt.datetime(value.year, value.month, value.day)
        return pywintypes.TimeType(
            value.year,
            value.month,
            value.day,
            value.hour,
            value.minute,
            value.second,
            value.microsecond,
            tzinfo=_dt.timezone.utc,
        )
    if isinstance(value, (list, tuple)):
        return tuple(to_com(v) for v in value)
    raise TypeError(f"no COM representation for {type(value).__name__}: {value!r}")


def _col_name(n):
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


class Ref:
    """A cell reference argument: becomes a fake Excel Range (PyIDispatch with the
    Range IID) whose ``.Value`` is a scalar for 1x1 and a tuple of tuples otherwise."""

    def __init__(self, values, sheet="Sheet1", row=1, column=1, workbook=None):
        if isinstance(values, (list, tuple)):
            if not values or not all(isinstance(r, (list, tuple)) for r in values):
                raise ValueError("Ref needs a scalar or a non-empty 2-D list (rows of cells)")
            if len({len(r) for r in values}) != 1:
                raise ValueError("Ref rows must have equal length")
            self.rows = tuple(tuple(to_com(c) for c in r) for r in values)
        else:
            self.rows = ((to_com(values),),)
        self.sheet, self.row, self.column = sheet, row, column
        self.workbook = workbook

    @property
    def shape(self):
        return len(self.rows), len(self.rows[0])

    @property
    def address(self):
        n, m = self.shape
        a = f"${_col_name(self.column)}${self.row}"
        if (n, m) != (1, 1):
            a += f":${_col_name(self.column + m - 1)}${self.row + n - 1}"
        return a

    def com(self, workbook=None):
        wb = self.workbook or workbook or _default_wb()
        n, m = self.shape
        sheet = wb.sheet(self.sheet)
        value = self.rows[0][0] if (n, m) == (1, 1) else self.rows
        members = {
            "Value": value,
            "Value2": value,
            "Row": self.row,
            "Column": self.column,
            "Count": n * m,
            "Rows": PyIDispatch("Range", {"Count": n}),
            "Columns": PyIDispatch("Range", {"Count": m}),
            "Address": self.address,
            "Worksheet": sheet,
            "Parent": sheet,
            "Application": wb.app,
            "CLSID": _IID(RANGE_IID),
            "GetAddress": lambda *a, **k: self.address,
        }
        return PyIDispatch("Range", members, iid=RANGE_IID)


class FakeWorkbook:
    """Recording fake of the Excel Workbook that VBA passes (ThisWorkbook/ActiveWorkbook).

    Records: ``removed`` (VBComponents.Remove names), ``imported`` (list of (path, text)
    of every VBComponents.Import, text read before xlwings deletes the temp file) and
    ``macro_options`` (list of (macro_name, kwargs)).  The Import always succeeds: the
    "Automation error 440" fallback of ``import_udfs`` (``Application.Run
    "ImportXlwingsUdfsModule"``) is not modelled.
    """

    def __init__(self, name="xlfuncs.xlam", excel_version="16.0", sheets=("Sheet1",), hwnd=4242):
        self.name, self.excel_version = name, excel_version
        self.removed, self.imported, self.macro_options = [], [], []
        self._components = {}
        self.app = PyIDispatch(
            "Application",
            {
                "Name": "Microsoft Excel",
                "Version": excel_version,
                "Hwnd": hwnd,
                "MacroOptions": self._macro_options,
            },
        )
        vbcomponents = PyIDispatch(
            "VBComponents",
            {
                "__call__": self._component,
                "Remove": self._remove,
                "Import": self._import,
            },
        )
        self.com = PyIDispatch(
            "Workbook",
            {
                "Name": name,
                "FullName": f"C:\\fake\\{name}",
                "Path": "C:\\fake",
                "Application": self.app,
                "VBProject": PyIDispatch("VBProject", {"VBComponents": vbcomponents}),
            },
        )
        self._sheets = {}
        for s in sheets:
            self.sheet(s)

    def sheet(self, name):
        if name not in self._sheets:
            self._sheets[name] = PyIDispatch(
                "Worksheet", {"Name": name, "Parent": self.com, "Application": self.app}
            )
            self.com.Worksheets = PyIDispatch(
                "Sheets",
                {
                    "Count": len(self._sheets),
                    "__iter__": lambda: list(self._sheets.values()),
                    "__call__": lambda key: (
                        list(self._sheets.values())[key - 1] if isinstance(key, int) else self._sheets[key]
                    ),
                    "Parent": self.com,
                },
            )
        return self._sheets[name]

    # -- recorded COM methods --
    def _component(self, name):
        if name not in self._components:
            import pywintypes

            # "Subscript out of range" (DISP_E_BADINDEX) as Excel raises it
            raise pywintypes.com_error(
                -2147352567, "Exception occurred.", (0, None, None, None, 0, -2147352565), None
            )
        return self._components[name]

    def _remove(self, component):
        self.removed.append(component.Name)
        self._components.pop(component.Name, None)

    def _import(self, path):
        with open(path) as f:  # same default encoding VBAWriter used to write it
            text = f.read()
        self.imported.append((path, text))
        name = "xlwings_udfs"
        for line in text.splitlines():
            if line.startswith("Attribute VB_Name"):
                name = line.split("=", 1)[1].strip().strip('"')
        comp = PyIDispatch("VBComponent", {"Name": name, "Code": text})
        self._components[name] = comp
        return comp

    def _macro_options(self, *args, **kwargs):
        self.macro_options.append((args[0] if len(args) == 1 else args, kwargs))


_DEFAULT_WB = None


def _default_wb():
    global _DEFAULT_WB
    if _DEFAULT_WB is None:
        _DEFAULT_WB = FakeWorkbook()
    return _DEFAULT_WB


# --------------------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------------------
def import_udfs(module_name, workbook_name="xlfuncs.xlam", excel_version="16.0", workbook=None):
    """Run the real ``xlwings.import_udfs`` exactly as the VBA button does
    (``XLPy.Str(XLPy.Call(XLPy.Module("xlwings"), "import_udfs",
    XLPy.Tuple(GetUdfModules(wb), wb)))``) against a recording FakeWorkbook.

    Returns ``(bas_text, macro_options_calls)``; ``bas_text`` is the text of the last
    VBComponents.Import; each MacroOptions call is ``(macro_name, kwargs)``.
    ``module_name`` may be "mod1;mod2" like the UDF MODULES setting.
    """
    _require_installed()
    from xlwings.com_server import XLPython

    wb = workbook or FakeWorkbook(workbook_name, excel_version)
    xlpy = XLPython()
    xlpy.Str(xlpy.Call(xlpy.Module("xlwings"), "import_udfs", xlpy.Tuple(module_name, wb.com)))
    bas = wb.imported[-1][1] if wb.imported else None
    return bas, list(wb.macro_options)


def call_udf(module_name, func_name, *args, workbook=None, caller=None, raw=False):
    """Call ``XLPython.CallUDF(module, func, args, wb, Application.Caller)`` - i.e. the
    real com_server code (FromVariant on args/caller, then the real udfs.call_udf, then
    the real 1x1 -> scalar / 1xN -> row squeeze). Returns what pywin32 would marshal
    back to VBA. ``args`` go through ``to_com`` unless ``raw=True``.
    ``caller``: a Ref for the calling cell (default Sheet1!$B$2 of ``workbook``);
    pass ``caller=ERR["#REF!"]`` to model a call from VBA (Application.Caller is
    then an Error value, not a Range).
    Exceptions raised by the UDF propagate (in Excel the wrapper's
    ``On Error GoTo failed`` puts pywin32's COM error text, Err.Description, in the cell).
    """
    _require_installed()
    from xlwings.com_server import XLPython

    _start_com_loop()
    wb = workbook or _default_wb()
    if caller is None:
        caller = Ref(None, row=2, column=2, workbook=wb)
    com_caller = caller.com(wb) if isinstance(caller, Ref) else caller
    com_args = tuple(a.com(wb) if isinstance(a, Ref) else (a if raw else to_com(a)) for a in args)
    return XLPython().CallUDF(module_name, func_name, com_args, wb.com, com_caller)
