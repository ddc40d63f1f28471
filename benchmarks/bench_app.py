"""Step latency of the trainers' app, measured the way a trainer meets it.

Starts the real ``lspsim app`` command (offline settings, 127.0.0.1), opens the page in headless
Chromium at 1280x720 (a projector) with every off-machine request blocked, and times each Step
click until the network and the four charts have been redrawn in the browser. Prints the median
and the range; nothing is asserted (speed is measured here, never in tests). Target: <= 150 ms.

    PYTHONPATH=. python benchmarks/bench_app.py [--steps 20] [--preset default]
        [--screenshot docs/img/app.png --months 24 --whatif monitoring.investment=0
         --event 10]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_app_browser import LAUNCH_ARGS, STEP_AND_WAIT  # noqa: E402

LOCAL = {"127.0.0.1", "localhost", "::1"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen([sys.executable, "-m", "lspsim", "app", "--port", str(port)],
                            env=env, cwd=ROOT, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            return proc
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(proc.stderr.read().decode()) from None
            time.sleep(0.5)
    stop_server(proc)
    raise RuntimeError("the app did not start within 90 s")


def stop_server(proc: subprocess.Popen) -> None:
    # The session holds `lspsim app` and its `solara run` child, and nothing else.
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--preset", default="default")
    ap.add_argument("--screenshot", type=Path, default=None)
    ap.add_argument("--months", type=int, default=18, help="months run before the screenshot")
    ap.add_argument("--whatif", default=None, help="PATH=VALUE for a what-if in the screenshot")
    ap.add_argument("--event", type=int, default=0,
                    help="fire the first prepared event at this month (screenshot)")
    ap.add_argument("--tab", default="", help="the panel tab shown in the screenshot")
    args = ap.parse_args(argv)

    from playwright.sync_api import sync_playwright

    from lspsim.app.controls import main_controls

    port = free_port()
    t0 = time.perf_counter()
    server = start_server(port)
    external: list[str] = []
    errors: list[str] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=LAUNCH_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 720})

            def route(r) -> None:
                url = r.request.url
                if url.startswith(("data:", "blob:")) or (urlparse(url).hostname or "") in LOCAL:
                    r.continue_()
                else:
                    external.append(url)
                    r.abort()

            page.route("**/*", route)
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(f"http://127.0.0.1:{port}/")
            page.locator(".lsp-series-3 svg").wait_for(timeout=90_000)
            print(f"page ready {time.perf_counter() - t0:.1f} s after `lspsim app` was started")
            if args.preset != "default":
                from lspsim.app.app import plain_name
                from lspsim.scenario import list_presets

                page.locator(".lsp-preset").click()
                page.get_by_role("option", name=plain_name(args.preset,
                                 list_presets()[args.preset]), exact=True).click()
                page.wait_for_function("() => document.querySelector('.lsp-month')"
                                       ".innerText.startsWith('Month 0')")
            page.evaluate(STEP_AND_WAIT)  # first draw of the moving parts: not timed
            times = [page.evaluate(STEP_AND_WAIT) for _ in range(args.steps)]
            print(f"Step click -> both charts redrawn ({args.preset}, {args.steps} steps): "
                  f"median {statistics.median(times):.0f} ms, min {min(times):.0f}, "
                  f"max {max(times):.0f} (target <= 150 ms)")

            if args.screenshot:
                page.locator(".lsp-reset").click()
                page.wait_for_function("() => document.querySelector('.lsp-month')"
                                       ".innerText.startsWith('Month 0')")
                if args.whatif:
                    path, value = args.whatif.split("=", 1)
                    page.locator(".lsp-compare").get_by_text("Compare with a what-if").click()
                    numeric = [c.path for c in main_controls() if c.kind in ("int", "float")]
                    page.wait_for_function("() => document.querySelectorAll('.lsp-typed input')"
                                           f".length == {2 * len(numeric)}")
                    box = page.locator(".lsp-typed input").nth(len(numeric) + numeric.index(path))
                    box.fill(value)
                    box.press("Enter")
                    page.get_by_text("(changed)").first.wait_for()
                for m in range(args.months):
                    if args.event and m == args.event:
                        from lspsim.events import PREPARED

                        page.locator(".lsp-event-choice").click()
                        page.get_by_role("option", name=PREPARED[0].label, exact=True).click()
                        page.locator(".lsp-fire").click()
                        page.wait_for_function("() => document.querySelectorAll("
                                               "'.lsp-event-mark').length >= 4")
                    page.evaluate(STEP_AND_WAIT)
                if args.tab:
                    page.get_by_role("tab", name=args.tab).click()
                    page.wait_for_timeout(500)
                args.screenshot.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(args.screenshot))
                print(f"screenshot: {args.screenshot}")
            browser.close()
    finally:
        stop_server(server)
    print(f"requests that tried to leave the machine: {len(external)}; console errors: "
          f"{len(errors)}")
    for line in external + errors:
        print("   ", line[:160])
    return 0


if __name__ == "__main__":
    sys.exit(main())
