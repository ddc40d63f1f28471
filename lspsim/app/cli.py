"""``lspsim app``: start the trainers' app on this machine, offline.

The command checks its arguments (the address must be one this machine can listen on), then
*becomes* the server: it replaces itself with ``python -m solara run`` (``os.execve``), in
production mode, bound to 127.0.0.1 unless ``--host`` says otherwise. There is no wrapper
process left to be killed while its server lives on (``subprocess.call`` did exactly that): the
process id the user started is the server's, so Ctrl-C and SIGTERM reach uvicorn, which shuts
down cleanly. On Linux the server is also asked to stop (SIGTERM) when the process that started
it dies (``PR_SET_PDEATHSIG``, kept across exec), so closing a launcher does not orphan it.

Solara's front-end comes from the locally installed ``solara-assets`` package through Solara's
asset proxy (its cache directory), so nothing is fetched from a CDN; telemetry is switched off.
"""

from __future__ import annotations

import argparse
import errno
import importlib.util
import os
import signal
import socket
import sys

from lspsim.app import APP_PATH
from lspsim.errors import InputError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def offline_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for an offline Solara server: local assets, no telemetry."""
    env = dict(os.environ if base is None else base)
    env.update({
        # The proxy serves /_solara/cdn/ from the local cache that solara-assets fills;
        # turning it off would make the page ask the public CDN instead.
        "SOLARA_ASSETS_PROXY": "True",
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
        "SOLARA_THEME_VARIANT": "light",
        # The "This website runs on Solara" badge would sit over the charts on a projector.
        "SOLARA_THEME_SHOW_BANNER": "False",
    })
    return env


def server_command(host: str, port: int, open_browser: bool = False) -> list[str]:
    return [sys.executable, "-m", "solara", "run", str(APP_PATH), "--host", host,
            "--port", str(port), "--production", "--open" if open_browser else "--no-open",
            "--log-level-uvicorn", "warning"]


def check_address(host: str, port: int) -> None:
    """Refuse, before the server starts, an address this machine cannot listen on: a name
    that does not resolve, an address that is not one of this machine's, or a port in use."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError, OverflowError):
        raise InputError("--host", "host", host, "an address of this machine, such as "
                         "127.0.0.1 (this machine only) or 0.0.0.0 (every network)") from None
    family, _, _, _, addr = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as s:
        # Solara's uvicorn sets SO_REUSEADDR too: a port left in TIME_WAIT is free for it.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(addr)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise InputError("--port", "port", port, "a free port (another program, maybe "
                                 "another `lspsim app`, is using it)") from None
            if exc.errno in (errno.EACCES, errno.EPERM):
                raise InputError("--port", "port", port, "a port this user may open "
                                 "(1024 or above)") from None
            raise InputError("--host", "host", host, "an address of this machine, such as "
                             "127.0.0.1 or 0.0.0.0") from None


def check_args(args: argparse.Namespace) -> None:
    if not 0 <= args.port <= 65535:
        raise InputError("--port", "port", args.port, "an integer from 0 to 65535 (0: any free)")
    if not args.host or any(c.isspace() for c in args.host):
        raise InputError("--host", "host", args.host, "an address such as 127.0.0.1")
    for module, package in (("solara", "solara"), ("solara_assets", "solara-assets")):
        if importlib.util.find_spec(module) is None:
            raise InputError("lspsim app", "dependencies", package,
                             "the app's packages: pip install 'lspsim[app]'")
    check_address(args.host, args.port)


def _stop_with_parent() -> None:
    """Linux: deliver SIGTERM to this process when its parent dies. The setting survives
    ``execve``, so it holds for the server. Elsewhere: nothing (no equivalent call)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, int(signal.SIGTERM), 0, 0, 0)
    except (OSError, AttributeError):  # no prctl: the server still stops on SIGTERM and Ctrl-C
        return
    if os.getppid() == 1:  # the parent died before the call above: nobody would tell us
        raise SystemExit(0)


def _cmd_app(args: argparse.Namespace) -> int:
    check_args(args)
    url = f"http://{'localhost' if args.host in ('127.0.0.1', 'localhost') else args.host}"
    print(f"lspsim app: starting on {url}:{args.port} (Ctrl+C to stop)", flush=True)
    sys.stderr.flush()
    cmd = server_command(args.host, args.port, args.open)
    _stop_with_parent()
    os.execve(cmd[0], cmd, offline_env())
    return 0  # not reached: execve replaces this process


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "app", help="start the trainers' web app (offline, on this machine)",
        description="Start the trainers' web app in a local browser tab. It needs no internet.")
    p.add_argument("--port", type=int, default=DEFAULT_PORT,
                   help=f"port to serve on (default {DEFAULT_PORT})")
    p.add_argument("--host", default=DEFAULT_HOST,
                   help=f"address to bind (default {DEFAULT_HOST}: this machine only)")
    p.add_argument("--open", action="store_true", help="open the page in the default browser")
    p.set_defaults(func=_cmd_app)
