"""Runs one Python submission: a job as JSON on stdin, the outcome as JSON on stdout.

A development convenience, not a security boundary: limits (address space, CPU time,
per-test alarms) stop accidents such as infinite loops and memory hogs, and the parent
kills this process when it overruns its wall-clock budget.
"""

import json
import math
import os
import resource
import signal
import sys
import time

MAX_MESSAGE_CHARS = 2000
MAX_RESULT_CHARS = 1 << 20


class _Timeout(BaseException):
    """Raised by the alarm; a BaseException so `except Exception` in user code does not swallow it."""


def _on_alarm(signum, frame):
    raise _Timeout()


def _clip(text):
    return text if len(text) <= MAX_MESSAGE_CHARS else text[: MAX_MESSAGE_CHARS - 1] + "…"


def _describe(error):
    text = str(error)
    return _clip(f"{type(error).__name__}: {text}" if text else type(error).__name__)


def _to_json(value, depth=0):
    """The value as JSON data: tuples and sets become lists, non-finite floats null."""
    if depth > 200:
        raise ValueError("the result is nested too deeply")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
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


def _limit(kind, value):
    try:
        resource.setrlimit(kind, (value, value))
    except (ValueError, OSError):
        pass


def main():
    job = json.loads(sys.stdin.buffer.read())
    started = time.monotonic()
    deadline = started + job["totalTimeoutMs"] / 1000
    per_test = job["perTestTimeoutMs"] / 1000
    tests = []

    # The outcome goes to a private copy of stdout; the submission's prints go nowhere.
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    sys.stdin = open(os.devnull, "r")

    def finish(end, message=None):
        signal.setitimer(signal.ITIMER_REAL, 0)
        outcome = {"end": end, "tests": tests, "execMs": round((time.monotonic() - started) * 1000)}
        if message is not None:
            outcome["message"] = _clip(message)
        out.write(json.dumps(outcome))
        out.flush()
        os._exit(0)

    memory = int(job["memoryLimitMb"]) * 1024 * 1024
    _limit(resource.RLIMIT_AS, memory)
    cpu_seconds = math.ceil(job["totalTimeoutMs"] / 1000) + 1
    try:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    except (ValueError, OSError):
        pass
    _limit(resource.RLIMIT_CORE, 0)
    signal.signal(signal.SIGALRM, _on_alarm)

    def arm():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _Timeout()
        signal.setitimer(signal.ITIMER_REAL, max(0.001, min(per_test, remaining)))

    def disarm():
        signal.setitimer(signal.ITIMER_REAL, 0)

    try:
        compiled = compile(job["code"], "<submission>", "exec")
    except SyntaxError as error:
        where = f" (line {error.lineno}, column {error.offset})" if error.lineno else ""
        finish("compile", f"{type(error).__name__}: {error.msg}{where}")
    except (ValueError, RecursionError, MemoryError) as error:
        finish("compile", _describe(error))

    namespace = {"__name__": "__submission__", "__builtins__": __builtins__}
    try:
        arm()
        try:
            exec(compiled, namespace)
        finally:
            disarm()
    except _Timeout:
        finish("timeout", "Time limit exceeded while loading the code")
    except MemoryError:
        finish("memory", "Memory limit exceeded")
    except BaseException as error:
        finish("runtime", _describe(error))

    entry = namespace.get(job["entrypoint"])
    if not callable(entry):
        finish("runtime", f'The code does not define a function named "{job["entrypoint"]}"')

    for args in job["inputs"]:
        try:
            arm()
            try:
                value = entry(*args)
            finally:
                disarm()
            text = json.dumps(_to_json(value), allow_nan=False)
            if len(text) > MAX_RESULT_CHARS:
                raise ValueError("the result is too large")
            tests.append({"ok": True, "actual": json.loads(text)})
        except _Timeout:
            finish("timeout", "Time limit exceeded")
        except MemoryError:
            finish("memory", "Memory limit exceeded")
        except BaseException as error:
            tests.append({"ok": False, "message": _describe(error)})

    finish("ok")


if __name__ == "__main__":
    main()
