"""The harness of one Python submission, run in a fresh Pyodide interpreter before the code.

The interpreter thread calls `_co_load(code, entrypoint)` once, then `_co_call(args_json)` per
test; each returns JSON text. The per-test time budget arrives as a KeyboardInterrupt (the host
writes SIGINT into Pyodide's interrupt buffer); code that swallows it loses its whole thread.

Before the submission runs, the bridge to JavaScript is taken away (`js`, `pyodide_js` and
the modules behind them). That is a speed bump, not the boundary: Python can find its way back
through the garbage collector, so the process around the interpreter is locked down as well.
"""

import gc
import json
import math
import sys

_MAX_MESSAGE_CHARS = 2000
_MAX_RESULT_CHARS = 1 << 20
_BRIDGE = ("js", "pyodide_js", "pyodide", "_pyodide", "_pyodide_core", "pyodide_http", "micropip")
_dumps = json.dumps
_loads = json.loads
_namespace = {"__name__": "__submission__"}
_state = {"entry": None}


class _Refused:
    """A finder that refuses the bridge modules, first on `sys.meta_path`."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name.split(".")[0] in _BRIDGE:
            raise ModuleNotFoundError(f"No module named '{name}'")
        return None


def _cut_bridge():
    for name in list(sys.modules):
        if name.split(".")[0] in _BRIDGE:
            del sys.modules[name]
    for finder in sys.meta_path:
        if type(finder).__name__ == "JsFinder":
            getattr(finder, "jsproxies", {}).clear()
    sys.meta_path[:] = [finder for finder in sys.meta_path if type(finder).__name__ != "JsFinder"]
    sys.meta_path.insert(0, _Refused)


def _clip(text):
    return text if len(text) <= _MAX_MESSAGE_CHARS else text[: _MAX_MESSAGE_CHARS - 1] + "…"


def _describe(error):
    text = str(error)
    return _clip(f"{type(error).__name__}: {text}" if text else type(error).__name__)


def _to_json(value, depth=0):
    """The value as JSON data: tuples and sets become lists, non-finite floats null."""
    if depth > 200:
        raise ValueError("the result is nested too deeply")
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (list, tuple)):
        return [_to_json(item, depth + 1) for item in value]
    if isinstance(value, (set, frozenset)):
        items = [_to_json(item, depth + 1) for item in value]
        try:
            return sorted(items)
        except TypeError:
            return items
    if isinstance(value, dict):
        return {str(key): _to_json(item, depth + 1) for key, item in value.items()}
    raise TypeError(f"a result of type {type(value).__name__} cannot be returned as JSON")


def _stop(error):
    """The end of the run an exception means, or None when it is the code's own failure."""
    if isinstance(error, KeyboardInterrupt):
        return "timeout"
    if isinstance(error, MemoryError):
        return "memory"
    return None


def _co_load(code, entrypoint):
    try:
        compiled = compile(code, "<submission>", "exec")
    except SyntaxError as error:
        where = f" (line {error.lineno}, column {error.offset})" if error.lineno else ""
        return _dumps({"end": "compile", "message": _clip(f"{type(error).__name__}: {error.msg}{where}")})
    except BaseException as error:
        return _dumps({"end": _stop(error) or "compile", "message": _describe(error)})
    _cut_bridge()
    gc.collect()
    try:
        exec(compiled, _namespace)
    except BaseException as error:
        end = _stop(error)
        if end == "timeout":
            return _dumps({"end": "timeout", "message": "Time limit exceeded while loading the code"})
        return _dumps({"end": end or "runtime", "message": "Memory limit exceeded" if end else _describe(error)})
    entry = _namespace.get(entrypoint)
    if not callable(entry):
        return _dumps({"end": "runtime", "message": f'The code does not define a function named "{entrypoint}"'})
    _state["entry"] = entry
    return _dumps({"end": "ok"})


def _co_call(args_json):
    try:
        value = _state["entry"](*_loads(args_json))
        text = _dumps(_to_json(value), allow_nan=False)
        if len(text) > _MAX_RESULT_CHARS:
            raise ValueError("the result is too large")
        return '{"ok":true,"actual":' + text + "}"
    except BaseException as error:
        end = _stop(error)
        if end is not None:
            return _dumps({"stop": end})
        try:
            return _dumps({"ok": False, "message": _describe(error)})
        except BaseException as inner:
            # Describing the error ran the code again (a looping __str__): that is its time.
            end = _stop(inner)
            return _dumps({"stop": end} if end else {"ok": False, "message": "The raised error could not be described"})
