"""Ctrl-C noticed where long work can stop cleanly.

Python's default SIGINT handler raises KeyboardInterrupt wherever the main thread happens to
be. One that lands while a finaliser runs (an object's ``__del__``, a weakref callback: a
process pool, its queues and pyarrow's tables all have them) is printed as "Exception ignored"
and swallowed, and the work goes on to its end as if nobody had pressed Ctrl-C: the sweep
then exits 0 instead of 130 (tests/test_faults.py).

``deferred_ctrl_c`` replaces the handler, for as long as the work runs, by one that only
notes the first Ctrl-C; the work calls ``check()`` where it can stop (a sweep: between
batches, and at least every ``POLL`` seconds while it waits for its workers), which raises
KeyboardInterrupt there. A second Ctrl-C raises at once, wherever the program is, as Python's
own handler does. Outside the main thread (where signal handlers cannot be set) it does
nothing and ``check()`` never raises.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

POLL = 0.2  # seconds a sweep waits on its workers before it looks at the flag again

_pressed = threading.Event()
_depth = 0  # nesting of deferred_ctrl_c in the main thread (the CLI's around the library's)


def _note(signum: int, frame: Any) -> None:
    if _pressed.is_set():  # pressed again: stop now, as Python's own handler would
        raise KeyboardInterrupt
    _pressed.set()


def check() -> None:
    """Raise KeyboardInterrupt if Ctrl-C was pressed since the outermost
    ``deferred_ctrl_c`` began (in the main thread only: work in another thread never had
    Ctrl-C deferred, so it is not this flag's to stop)."""
    if _pressed.is_set() and threading.current_thread() is threading.main_thread():
        raise KeyboardInterrupt


@contextmanager
def deferred_ctrl_c() -> Iterator[None]:
    """Within the block the first Ctrl-C only sets a flag, which ``check()`` (and the end of
    the outermost block) turns into KeyboardInterrupt. Blocks nest: an inner one shares the
    outer one's flag and handler."""
    global _depth
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    outer = _depth == 0
    if outer:
        _pressed.clear()
        previous = signal.signal(signal.SIGINT, _note)
    _depth += 1
    try:
        yield
        if outer:
            check()  # pressed after the work's last check
    finally:
        _depth -= 1
        if outer:
            # None: the previous handler was not set from Python; Python's own is the default
            signal.signal(signal.SIGINT,
                          signal.default_int_handler if previous is None else previous)
            _pressed.clear()


def end_workers(pool: Any) -> None:
    """Shut a local process pool down now: its workers ignore Ctrl-C
    (``no_sigint_in_children``), so end them rather than wait for their queued work; the pool
    then fails their futures itself (Python 3.11's pool raises InvalidStateError on a future
    cancelled before that, so no cancel_futures)."""
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        proc.terminate()
    pool.shutdown(wait=True)


@contextmanager
def no_sigint_in_children() -> Iterator[None]:
    """Block SIGINT while a local pool may start processes: the children inherit the mask,
    so Ctrl-C reaches only this process (one message, no worker tracebacks), and the pending
    signal is delivered here as soon as the block ends (to ``deferred_ctrl_c``'s handler, or
    Python's own)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(
            signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
