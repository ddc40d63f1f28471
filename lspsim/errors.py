"""The failures the CLI reports in one message instead of a traceback, and their exit codes.

Exit codes of ``lspsim`` (README, "Exit codes"): 0 success; 1 an unexpected failure (a bug:
please report the traceback); 2 bad input (:class:`InputError`); 3 the environment failed
(:class:`EnvironmentFailure`: disk full, folder unwritable, Dask scheduler or workers lost);
130 interrupted (Ctrl-C).
"""

from __future__ import annotations

from typing import Any

EXIT_INPUT = 2
EXIT_ENVIRONMENT = 3
EXIT_INTERRUPTED = 130


class InputError(Exception):
    """Bad user input, located: which file (or flag), which field, what value, what is allowed."""

    exit_code = EXIT_INPUT

    def __init__(self, source: str, field: str, value: Any, allowed: str) -> None:
        self.source, self.field, self.value, self.allowed = source, field, value, allowed
        shown = "" if value is None else f" = {value!r}"
        super().__init__(f"{source}: {field}{shown}: expected {allowed}")


class EnvironmentFailure(Exception):
    """The input was fine but the machine or cluster failed: a full disk, an unwritable folder,
    a lost Dask scheduler. The message says what was kept and how to carry on."""

    exit_code = EXIT_ENVIRONMENT
