"""Writing outputs safely: nothing the user did not ask to replace is ever lost, and an output
folder appears whole or not at all.

Every command that writes a folder (``lspsim run``, ``appraise``, ``analyse``, ``sweep``) goes
through :func:`check_output_dir` before any work and :func:`atomic_output_dir` (or, for a sweep's
streamed folder, :func:`mark_output_dir`) to write. The rules:

- the path is a folder path: not empty, no control characters, not a file, not a symbolic
  link, not the current folder or one that holds it;
- a folder that exists and holds anything is written only if it is an lspsim output of the same
  kind (its marker file, ``.lspsim-report.json``, says which) and the user said ``--force``;
  a folder of other files is refused whatever the flags;
- the report is built in a hidden sibling (``.NAME.lspsim-tmp-XXXX``) and swapped in by
  renames; leftovers of an interrupted write are cleaned, or the swap undone, on the next write.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from lspsim.errors import EnvironmentFailure, InputError

MARKER = ".lspsim-report.json"
KINDS = ("run", "appraisal", "analysis", "sweep", "report")
_TMP = ".lspsim-tmp-"
_OLD = ".lspsim-old"
# Paths checked by check_output_dir, with the --force given: atomic_output_dir honours them.
_CLAIMS: dict[Path, bool] = {}


def output_kind(folder: str | Path) -> str | None:
    """The kind of lspsim output in ``folder`` (its marker), or None if it is not one. A sweep
    folder from before markers existed is recognised by its manifest."""
    p = Path(folder)
    try:
        data = json.loads((p / MARKER).read_text())
        kind = data.get("kind") if isinstance(data, dict) else None
        return kind if kind in KINDS else None
    except (OSError, ValueError):
        pass
    try:
        manifest = json.loads((p / "manifest.json").read_text())
        if isinstance(manifest, dict) and "experiment_hash" in manifest:
            return "sweep"
    except (OSError, ValueError):
        pass
    return None


def _absolute(path: Path) -> Path:
    # normalised (".." folded) without resolving symbolic links: the path the user named
    return Path(os.path.abspath(path))


def check_output_dir(path: str | Path, kind: str, *, force: bool = False,
                     flag: str = "--out", existing_ok: bool = False) -> Path:
    """Check, before any work, that writing a ``kind`` output to ``path`` loses nothing.

    Args:
        path: the output folder.
        kind: what will be written there (one of KINDS).
        force: the user asked to replace an lspsim output of the same kind already there.
        flag: how the user named the path (for the message).
        existing_ok: an output of the same kind may be there and is written into, not replaced
            (``lspsim sweep --resume``).

    Returns the path. Raises InputError (exit 2) naming the path and what is allowed.
    """
    text = str(path)
    if not text.strip():
        raise InputError(flag, "out", text, "a folder path (an empty path names no folder)")
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise InputError(flag, "out", text, "a folder path without control characters")
    p = Path(path)
    absolute = _absolute(p)
    cwd = _absolute(Path.cwd())
    if absolute == cwd or absolute in cwd.parents or absolute == Path(absolute.anchor):
        raise InputError(flag, "out", text, "a folder other than the current folder or one "
                         "that holds it (an output folder is replaced whole; name a new "
                         "sub-folder, e.g. out/NAME)")
    if p.is_symlink():
        raise InputError(flag, "out", text, "a real folder, not a symbolic link (lspsim "
                         "never replaces a link or what it points to)")
    if p.exists():
        if not p.is_dir():
            raise InputError(flag, "out", text, "a folder: this is a file, and lspsim never "
                             "replaces a file with a report")
        try:
            busy = any(e.name != MARKER for e in p.iterdir())
        except OSError as exc:
            raise InputError(flag, "out", text, f"a folder lspsim can read ({exc.strerror})"
                             ) from None
        found = output_kind(p)
        if busy and found is None:
            raise InputError(flag, "out", text, "a new or empty folder: this one holds files "
                             "that are not an lspsim output, and lspsim never replaces them "
                             "(nothing was written)")
        if busy and found != kind:
            raise InputError(flag, "out", text, f"a new or empty folder or an lspsim {kind} "
                             f"output: this one holds an lspsim {found} output")
        if busy and not (force or existing_ok):
            raise InputError(flag, "out", text, f"a new or empty folder: this one holds an "
                             f"lspsim {kind} output; add --force to replace it, or choose "
                             "another --out")
        where = absolute.parent
    else:
        where = absolute.parent
        while not where.exists():
            where = where.parent
        if not where.is_dir():
            raise InputError(flag, "out", text, f"a path whose folders can be made: {where} "
                             "is a file")
    try:  # an anonymous file: tests writability (permissions, read-only disks) leaving nothing
        with tempfile.TemporaryFile(dir=where):
            pass
    except OSError as exc:
        raise InputError(flag, "out", text, f"a folder lspsim can write in: {where}: "
                         f"{exc.strerror or exc}") from None
    _CLAIMS[absolute] = force
    clean_leftovers(p)
    return p


def clean_leftovers(path: str | Path) -> list[Path]:
    """Remove what an interrupted write of ``path`` left beside it (hidden folders holding our
    marker), or undo a swap interrupted between its two renames. Returns what was removed."""
    final = _absolute(Path(path))
    parent, removed = final.parent, []
    if not parent.is_dir():
        return removed
    old = parent / f".{final.name}{_OLD}"
    if old.is_dir() and output_kind(old) and not final.exists():
        os.replace(old, final)  # killed mid-swap: the previous report comes back
    prefix = f".{final.name}{_TMP}"
    for p in [*parent.glob(f"{glob_escape(prefix)}*"), old]:
        if p.is_dir() and not p.is_symlink() and output_kind(p):
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p)
    return removed


def glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def _marker(folder: Path, kind: str) -> None:
    from lspsim._version import __version__

    write_json(folder / MARKER, {"kind": kind, "lspsim": __version__,
                                 "written": datetime.now(UTC).isoformat(timespec="seconds")})


def mark_output_dir(path: str | Path, kind: str) -> Path:
    """Create ``path`` (checked by check_output_dir) and mark it as an lspsim ``kind`` output:
    for folders written in place, such as a sweep's streamed results."""
    p = Path(path)
    try:
        p.mkdir(parents=True, exist_ok=True)
        if output_kind(p) != kind:
            _marker(p, kind)
    except OSError as exc:
        raise _environment(p, exc) from None
    return p


def _environment(path: Path, exc: OSError) -> EnvironmentFailure:
    return EnvironmentFailure(f"cannot write {path}: {exc.strerror or exc}"
                              + (f" ({exc.filename})" if exc.filename else "")
                              + "; nothing was replaced")


@contextmanager
def atomic_output_dir(path: str | Path, kind: str = "report", *,
                      force: bool | None = None) -> Iterator[Path]:
    """Yield a hidden sibling folder to write into; on success it replaces ``path``, on any
    error it is removed and ``path`` is left as it was (no half-written output).

    ``path`` is checked as :func:`check_output_dir` does (``force`` defaults to what the
    command's check was given); an OSError while writing (disk full) becomes
    EnvironmentFailure."""
    final = Path(path)
    if force is None:
        force = _CLAIMS.get(_absolute(final), False)
    check_output_dir(final, kind, force=force)
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}{_TMP}", dir=final.parent))
        _marker(tmp, kind)
    except OSError as exc:
        raise _environment(final, exc) from None
    try:
        yield tmp
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError):
            raise _environment(final, exc) from exc
        raise
    try:
        if final.exists():
            old = final.with_name(f".{final.name}{_OLD}")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(final, old)
            os.replace(tmp, final)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, final)
    except OSError as exc:
        with contextlib.suppress(OSError):
            shutil.rmtree(tmp)
        raise _environment(final, exc) from None


def _jsonable(o: Any) -> Any:
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, default=_jsonable, allow_nan=False) + "\n")
