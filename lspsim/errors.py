"""One exception type for bad input: the CLI prints it in a line or two and exits 2."""

from __future__ import annotations

from typing import Any


class InputError(Exception):
    """Bad user input, located: which file (or flag), which field, what value, what is allowed."""

    def __init__(self, source: str, field: str, value: Any, allowed: str) -> None:
        self.source, self.field, self.value, self.allowed = source, field, value, allowed
        shown = "" if value is None else f" = {value!r}"
        super().__init__(f"{source}: {field}{shown}: expected {allowed}")
