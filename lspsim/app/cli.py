"""``lspsim app``: start the trainers' app on this machine, offline.

The server is ``solara run`` in a child process, in production mode, bound to 127.0.0.1 unless
``--host`` says otherwise. Solara's front-end comes from the locally installed
``solara-assets`` package through Solara's asset proxy (its cache directory), so nothing is
fetched from a CDN; telemetry is switched off.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
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
    })
    return env


def server_command(host: str, port: int, open_browser: bool = False) -> list[str]:
    return [sys.executable, "-m", "solara", "run", str(APP_PATH), "--host", host,
            "--port", str(port), "--production", "--open" if open_browser else "--no-open",
            "--log-level-uvicorn", "warning"]


def check_args(args: argparse.Namespace) -> None:
    if not 0 <= args.port <= 65535:
        raise InputError("--port", "port", args.port, "an integer from 0 to 65535 (0: any free)")
    if not args.host or any(c.isspace() for c in args.host):
        raise InputError("--host", "host", args.host, "an address such as 127.0.0.1")
    for module, package in (("solara", "solara"), ("solara_assets", "solara-assets")):
        if importlib.util.find_spec(module) is None:
            raise InputError("lspsim app", "dependencies", package,
                             "the app's packages: pip install 'lspsim[app]'")


def _cmd_app(args: argparse.Namespace) -> int:
    check_args(args)
    url = f"http://{'localhost' if args.host in ('127.0.0.1', 'localhost') else args.host}"
    print(f"lspsim app: starting on {url}:{args.port} (Ctrl+C to stop)", flush=True)
    try:
        return subprocess.call(server_command(args.host, args.port, args.open),
                               env=offline_env())
    except KeyboardInterrupt:
        return 0


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
