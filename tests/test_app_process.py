"""``lspsim app`` as a process: it stops its server when stopped, and refuses bad addresses.

These start the real command (no browser). Skipped when the app's packages are missing.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("solara")
pytest.importorskip("solara_assets")

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    out, todo = set(), [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.add(c)
            todo.append(c)
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; only its parent's wait is missing


def _wait_served(port: int, proc: subprocess.Popen | None = None, timeout: float = 90) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            return
        except OSError:
            if proc is not None and proc.poll() is not None:
                raise AssertionError(f"app exited: {proc.stderr.read().decode()}") from None
            time.sleep(0.3)
    raise AssertionError(f"nothing served on port {port} within {timeout} s")


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def _wait_gone(pids: set[int], timeout: float = 20) -> set[int]:
    deadline = time.time() + timeout
    while time.time() < deadline:
        left = {p for p in pids if _alive(p)}
        if not left:
            return set()
        time.sleep(0.2)
    return {p for p in pids if _alive(p)}


pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs Linux /proc")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_app_leaves_no_process_after_sigterm_or_ctrl_c(sig) -> None:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "lspsim", "app", "--port", str(port)],
                            env=ENV, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        _wait_served(port, proc)
        tree = {proc.pid} | _descendants(proc.pid)
        # The process started is the server itself, not a wrapper around it.
        assert b"solara" in Path(f"/proc/{proc.pid}/cmdline").read_bytes()
        proc.send_signal(sig)
        proc.wait(30)
        assert _wait_gone(tree) == set()
        assert _port_free(port)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_app_stops_when_the_process_that_started_it_dies() -> None:
    port = _free_port()
    # A launcher that starts `lspsim app` and is then killed outright (SIGKILL: no clean-up).
    launcher = subprocess.Popen(
        [sys.executable, "-c",
         "import subprocess, sys, time; "
         f"p = subprocess.Popen([sys.executable, '-m', 'lspsim', 'app', '--port', '{port}'], "
         "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
         "print(p.pid, flush=True); time.sleep(600)"],
        env=ENV, cwd=ROOT, stdout=subprocess.PIPE, text=True, start_new_session=True)
    server = int(launcher.stdout.readline())
    try:
        _wait_served(port)
        tree = {server} | _descendants(server)
        launcher.kill()
        launcher.wait()
        assert _wait_gone(tree) == set()
        assert _port_free(port)
    finally:
        for pid in (server,):
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("argv, field", [
    (["--host", "999.1.1.1"], "--host"),
    (["--host", "8.8.8.8"], "--host"),          # not an address of this machine
    (["--host", "no-such-host.invalid"], "--host"),
])
def test_bad_address_is_one_clear_message_and_exit_2(argv, field) -> None:
    out = subprocess.run([sys.executable, "-m", "lspsim", "app", "--port", str(_free_port()),
                          *argv], env=ENV, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 2, out
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"lspsim: error: {field}"), out.stderr
    assert "Traceback" not in out.stderr and out.stdout == ""


def test_port_in_use_is_refused() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        out = subprocess.run([sys.executable, "-m", "lspsim", "app", "--port", str(port)],
                             env=ENV, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert out.stderr.startswith("lspsim: error: --port") and "free port" in out.stderr
