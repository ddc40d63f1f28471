"""The failures the CLI reports in one message instead of a traceback, and their exit codes.

Exit codes of ``lspsim`` (README, "Exit codes"): 0 success; 1 an unexpected failure (a bug:
please report the traceback); 2 bad input (:class:`InputError`); 3 the environment failed
(:class:`EnvironmentFailure`: disk full, folder unwritable, Dask scheduler or workers lost);
130 interrupted (Ctrl-C).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import ValidationError

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


def describe_allowed(err: Mapping[str, Any], extra_hint: str = "check the spelling") -> str:
    """What a pydantic error says is allowed, in the words of an InputError."""
    t, ctx = err["type"], err.get("ctx") or {}
    if t == "missing":
        return "this field is required"
    if t == "extra_forbidden":
        return f"no such field ({extra_hint})"
    if t == "finite_number":
        return "a finite number (not NaN or infinity)"
    if "ge" in ctx or "le" in ctx or "gt" in ctx or "lt" in ctx:
        return str(err["msg"]).lower()
    if t == "literal_error":
        return "one of " + str(ctx.get("expected", ""))
    return str(err["msg"])


def dotted(loc: Sequence[Any]) -> str:
    """A pydantic location as a dotted path: ``("trust", "gain")`` -> ``trust.gain``."""
    return ".".join(str(p) for p in loc)


def from_validation_error(
        exc: ValidationError, source: str | Callable[[str], str], *, empty: str,
        loc: Callable[[Sequence[Any]], str] = dotted, prefix: str = "",
        extra_hint: str = "check the spelling",
        allowed: Callable[[Mapping[str, Any], str], str | None] | None = None) -> InputError:
    """The one translation of a schema's ValidationError into an InputError: its first error,
    located (``prefix`` + ``loc(err["loc"])``, or ``empty`` for the root), with the offending
    value (a table shown as ``{...}``; none for a missing field), what is allowed
    (``allowed(err, field)`` if given and not None, else :func:`describe_allowed`) and how many
    more errors there are. ``source`` is the file or flag, or a function of the field path
    (a file whose fields come from several sources)."""
    err = exc.errors()[0]
    where = loc(err["loc"]) if err["loc"] else ""
    field = prefix + where if where else empty
    value = err.get("input")
    if isinstance(value, dict):
        value = "{...}"
    if err["type"] == "missing":
        value = None
    text = (allowed(err, field) if allowed else None) or describe_allowed(err, extra_hint)
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    src = source(field) if callable(source) else source
    return InputError(src, field, value, text + more)
