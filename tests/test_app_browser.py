"""The trainers' app in real headless Chromium, with every request that leaves this machine
blocked (a council laptop with no internet).

Uses Solara's pytest plugin (pytest-ipywidgets: ``solara_server``, ``solara_app``,
``page_session``) and pytest-playwright, with Debian's /usr/bin/chromium. Skipped with a reason
when Chromium is absent, except under CI (env var ``CI`` set), where that is a failure.
Screenshots go to ``test-results/app/`` (pytest-playwright's ``--output``).
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}

_missing = None
if not CHROMIUM.exists():
    _missing = f"{CHROMIUM} is not installed (apt-get install chromium)"
else:
    try:
        import playwright.sync_api  # noqa: F401
        import solara.test.pytest_plugin  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on the environment
        _missing = f"browser test packages missing: {exc.name}"
if _missing and os.environ.get("CI"):
    raise RuntimeError(f"CI is set but the browser tests cannot run: {_missing}")

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(_missing is not None, reason=_missing or "")]


# --------------------------------------------------------------------- fixtures
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": LAUNCH_ARGS}


VIEWPORT = {"width": 1280, "height": 720}  # a projector


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": VIEWPORT, "accept_downloads": True}


@pytest.fixture(scope="session")
def artefacts(pytestconfig) -> Path:
    out = Path(pytestconfig.getoption("--output", "test-results")).absolute() / "app"
    out.mkdir(parents=True, exist_ok=True)
    return out


class Watch:
    """Requests that tried to leave the machine (all blocked), and console errors."""

    def __init__(self) -> None:
        self.external: list[str] = []
        self.errors: list[str] = []

    def route(self, route) -> None:
        url = route.request.url
        host = urlparse(url).hostname or ""
        if url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            self.external.append(url)
            route.abort()

    def console(self, msg) -> None:
        if msg.type == "error":
            self.errors.append(msg.text)

    def attach(self, page) -> None:
        page.route("**/*", self.route)
        page.on("console", self.console)
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))

    def detach(self, page) -> None:
        page.unroute("**/*")
        page.remove_listener("console", self.console)


@pytest.fixture()
def app_page(solara_server, solara_app, page_session, monkeypatch):
    """The real page (lspsim/app/app.py) in a fresh session, offline: the browser may not
    leave the machine, and neither may Solara's server fetch a missing asset from its CDN."""
    import solara.server.cdn_helper
    import solara.server.settings

    from lspsim.app import APP_PATH

    solara.server.settings.telemetry.mixpanel_enable = False
    monkeypatch.setattr(solara.server.settings.theme, "show_banner", False)  # as `lspsim app`
    watch = Watch()

    def no_cdn(url: str) -> bytes:
        watch.external.append(f"server-side CDN fetch: {url}")
        raise OSError(f"offline test: refused to fetch {url}")

    monkeypatch.setattr(solara.server.cdn_helper, "fetch_from_cdn", no_cdn)
    page_session.set_viewport_size(VIEWPORT)
    page_session.goto("about:blank")
    watch.attach(page_session)
    with solara_app(str(APP_PATH)):
        page_session.goto(solara_server.base_url)
        page_session.locator(".lsp-step").wait_for(timeout=60_000)
        _wait_charts(page_session)
        yield page_session, watch
        page_session.goto("about:blank")
    watch.detach(page_session)


CHARTS = [".lsp-net", ".lsp-series-0", ".lsp-series-1", ".lsp-series-2", ".lsp-series-3"]


def _wait_charts(page) -> None:
    page.wait_for_function(
        f"() => {CHARTS!r}.every(sel => document.querySelector(sel + ' svg'))")


def _month(page) -> str:
    return page.locator(".lsp-month").inner_text()


def _wait_month(page, m: int) -> None:
    page.wait_for_function("() => document.querySelector('.lsp-month').innerText"
                           f".startsWith('Month {m} of')")


def _charts(page) -> list[str]:
    return page.evaluate(f"() => {CHARTS!r}.map(s => document.querySelector(s).innerHTML)")


# Click Step, then wait until the network and all four charts show new SVG: the time from the
# click to the redrawn page, as a trainer sees it.
STEP_AND_WAIT = """() => new Promise(resolve => {
    const sel = SELECTORS;
    const old = sel.map(s => document.querySelector(s).innerHTML);
    const t0 = performance.now();
    const check = () => {
        const now = sel.map(s => document.querySelector(s));
        if (now.every((el, k) => el && el.innerHTML !== old[k] && el.querySelector('svg')))
            resolve(performance.now() - t0);
        else requestAnimationFrame(check);
    };
    document.querySelector('.lsp-step').click();
    requestAnimationFrame(check);
})""".replace("SELECTORS", repr(CHARTS))

# What must be on screen without scrolling, and the smallest chart text in CSS pixels.
FOLD = """() => {
    const W = innerWidth, H = innerHeight;
    const need = ['.lsp-play', '.lsp-step', '.lsp-reset', '.lsp-month', '.lsp-fire',
                  '.lsp-go-back', '.lsp-compare', '.lsp-net svg', '.lsp-series-0 svg',
                  '.lsp-series-1 svg', '.lsp-series-2 svg', '.lsp-series-3 svg',
                  '.lsp-caption p:last-child'];
    const below = [];
    for (const sel of need) {
        const el = document.querySelector(sel);
        if (!el) { below.push(sel + ' (missing)'); continue; }
        const r = el.getBoundingClientRect();
        if (r.bottom > H + 0.5 || r.right > W + 0.5 || r.top < 0 || r.height === 0)
            below.push(`${sel} ${Math.round(r.left)},${Math.round(r.top)}-` +
                       `${Math.round(r.right)},${Math.round(r.bottom)}`);
    }
    let minFont = 1e9;
    for (const svg of document.querySelectorAll('.lsp-net svg, .lsp-series svg')) {
        const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
        for (const t of svg.querySelectorAll('text'))
            minFont = Math.min(minFont, parseFloat(getComputedStyle(t).fontSize) * scale);
    }
    return {below, minFont, scroll: document.scrollingElement.scrollHeight - H,
            banner: document.body.innerText.includes('runs on Solara')};
}"""


# --------------------------------------------------------------------- tests
def _fold_check(page, label: str) -> None:
    fold = page.evaluate(FOLD)
    print(f"\n{label}: smallest chart text {fold['minFont']:.1f} px at 1280x720; "
          f"page scrolls by {fold['scroll']} px")
    assert fold["below"] == [], f"{label}: not fully on screen: {fold['below']}"
    assert fold["scroll"] <= 0
    assert fold["minFont"] >= 14
    assert not fold["banner"]


def test_page_fits_a_projector_offline_with_no_console_errors(app_page, artefacts) -> None:
    page, watch = app_page
    assert _month(page).startswith("Month 0 of")
    # Vuetify's stylesheet and icon font arrived from the local asset proxy
    assert page.evaluate("getComputedStyle(document.querySelector('.v-btn')).textTransform") \
        == "uppercase"
    page.wait_for_function("() => document.fonts.check('16px \"Material Design Icons\"')",
                           timeout=20_000)
    for _ in range(12):
        page.evaluate(STEP_AND_WAIT)
    _fold_check(page, "set-up mode")
    page.screenshot(path=str(artefacts / "page-1280x720.png"))
    page.locator(".lsp-presentation").get_by_text("Presentation").click()
    page.locator(".lsp-setup").wait_for(state="detached")
    _wait_charts(page)
    _fold_check(page, "presentation mode")
    page.screenshot(path=str(artefacts / "presentation-1280x720.png"))
    print(f"screenshots: {artefacts}")
    assert watch.external == [], f"requests left the machine: {watch.external}"
    assert watch.errors == [], f"console errors: {watch.errors}"


def test_step_advances_and_redraws_charts(app_page) -> None:
    page, watch = app_page
    page.evaluate(STEP_AND_WAIT)  # the first redraw is not timed
    times = [page.evaluate(STEP_AND_WAIT) for _ in range(15)]
    assert _month(page).startswith("Month 16 of")
    print(f"\nStep click -> network and four charts redrawn (default scenario, 1280x720): "
          f"median {statistics.median(times):.0f} ms, max {max(times):.0f} ms over "
          f"{len(times)} steps (target <= 150 ms); all: {[round(t) for t in times]}")
    assert watch.external == [] and watch.errors == []


def test_play_runs_and_pauses(app_page) -> None:
    page, watch = app_page
    page.locator(".lsp-play").click()
    page.wait_for_function("() => /Month ([3-9]|[1-9][0-9]) of/.test("
                           "document.querySelector('.lsp-month').innerText)", timeout=30_000)
    page.locator(".lsp-play").click()  # now Pause
    page.locator(".lsp-play", has_text="Play").wait_for()
    time.sleep(0.3)
    stopped = _month(page)
    time.sleep(1.0)
    assert _month(page) == stopped
    assert watch.errors == []


def _fire(page, label: str) -> None:
    page.locator(".lsp-event-choice").click()
    page.get_by_role("option", name=label, exact=True).click()
    page.locator(".lsp-fire").click()


def test_an_event_fires_and_is_marked_on_every_chart(app_page, artefacts) -> None:
    from lspsim.events import PREPARED

    page, watch = app_page
    for _ in range(6):
        page.evaluate(STEP_AND_WAIT)
    _fire(page, PREPARED[0].label)
    page.wait_for_function("() => document.querySelectorAll("
                           "'.lsp-series .lsp-event-mark[data-month=\"7\"]').length == 4")
    page.wait_for_function("() => (document.querySelector('.lsp-events-line') || {}).innerText"
                           f"?.includes({('1. month 7: ' + PREPARED[0].label)!r})")
    for _ in range(10):
        page.evaluate(STEP_AND_WAIT)
    page.screenshot(path=str(artefacts / "event.png"))
    assert watch.external == [] and watch.errors == []


def test_going_back_and_replaying_returns_to_the_same_state(app_page, artefacts) -> None:
    from lspsim.events import PREPARED

    page, watch = app_page
    for _ in range(5):
        page.evaluate(STEP_AND_WAIT)
    _fire(page, PREPARED[1].label)
    page.wait_for_function("() => document.querySelectorAll('.lsp-event-mark').length >= 4")
    for _ in range(7):
        page.evaluate(STEP_AND_WAIT)
    _wait_month(page, 12)
    first = _charts(page)
    box = page.locator(".lsp-back-to input")
    box.fill("3")
    box.press("Enter")
    page.locator(".lsp-go-back").click()
    _wait_month(page, 3)
    _wait_charts(page)
    page.wait_for_function("() => document.querySelector('.lsp-net').innerText.includes('month 3')")
    assert _charts(page) != first
    for _ in range(9):
        page.evaluate(STEP_AND_WAIT)
    _wait_month(page, 12)
    again = _charts(page)
    for x, y in zip(first, again, strict=True):
        if x != y:
            i = next(i for i, (a, b) in enumerate(zip(x, y, strict=False)) if a != b)
            print("DIFF", x[i - 300:i + 80], "\n", y[i - 300:i + 80])
    assert again == first  # the same network, lines and event marks
    page.screenshot(path=str(artefacts / "replayed.png"))
    assert watch.external == [] and watch.errors == []


def test_preset_switch_and_control_change_take_effect(app_page, artefacts) -> None:
    from lspsim.app.app import plain_name, research_only
    from lspsim.app.controls import control_spec, main_controls
    from lspsim.scenario import list_presets, load_scenario, partner_kinds

    page, watch = app_page
    presets = {k: v for k, v in list_presets().items() if not research_only(k)}
    other = max(presets, key=lambda p: len(partner_kinds(load_scenario(p))))
    page.evaluate(STEP_AND_WAIT)
    page.locator(".lsp-preset").click()
    page.get_by_role("option").first.wait_for()
    options = page.get_by_role("option").all_inner_texts()
    assert options == [plain_name(k, v) for k, v in presets.items()]
    page.get_by_role("option", name=plain_name(other, presets[other]), exact=True).click()
    _wait_month(page, 0)
    page.wait_for_function("() => document.querySelector('.lsp-month').innerText"
                           f".startsWith('Month 0 of {load_scenario(other).months}')")

    numeric = [c.path for c in main_controls() if c.kind in ("int", "float")]
    page.get_by_role("tab", name="Chains").click()
    box = page.locator(".lsp-typed input").nth(numeric.index("delivery.n_targets"))
    box.fill("3")
    box.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('.lsp-chains tr').length == 4")

    dominance = page.locator(".lsp-typed input").nth(numeric.index("leadership.council_dominance"))
    dominance.fill("2")
    dominance.press("Enter")
    refused = page.locator(".lsp-refused")
    refused.first.wait_for()
    assert "less than or equal to 1" in refused.first.inner_text()
    assert control_spec("leadership.council_dominance").label in refused.first.inner_text()
    assert page.locator(".lsp-chains tr").count() == 4  # the refused value changed nothing
    page.screenshot(path=str(artefacts / "refused.png"))
    assert watch.external == [] and watch.errors == []


def test_comparing_keeps_the_run_and_shows_both(app_page, artefacts) -> None:
    from lspsim.app.controls import main_controls

    page, watch = app_page
    for _ in range(6):
        page.evaluate(STEP_AND_WAIT)
    net = _charts(page)[0]
    page.locator(".lsp-compare").get_by_text("Compare with a what-if").click()
    numeric = [c.path for c in main_controls() if c.kind in ("int", "float")]
    page.wait_for_function(f"() => document.querySelectorAll('.lsp-typed input').length == "
                           f"{2 * len(numeric)}")
    assert _month(page).startswith("Month 6 of") and _charts(page)[0] == net
    box = page.locator(".lsp-typed input").nth(len(numeric) +
                                               numeric.index("monitoring.investment"))
    box.fill("0")
    box.press("Enter")
    page.get_by_text("(changed)").first.wait_for()
    page.wait_for_function("() => document.querySelectorAll('.lsp-series "
                           "polyline[stroke-dasharray]').length >= 8")
    assert _month(page).startswith("Month 6 of")
    text = page.locator(".lsp-comparison").inner_text()
    assert "What-if:" in text and "instead of 0.5" in text and "After 6 months" in text
    assert page.locator(".lsp-outcomes th", has_text="what-if").count() == 1
    page.screenshot(path=str(artefacts / "comparison.png"))
    assert watch.external == [] and watch.errors == []


def test_briefing_opens_offline_and_prints_to_a4(app_page, artefacts, browser) -> None:
    from lspsim.events import PREPARED

    page, watch = app_page
    for _ in range(4):
        page.evaluate(STEP_AND_WAIT)
    _fire(page, PREPARED[0].label)
    for _ in range(10):
        page.evaluate(STEP_AND_WAIT)
    with page.expect_download() as dl:
        page.get_by_text("Briefing").click()
    path = artefacts / dl.value.suggested_filename
    dl.value.save_as(path)
    ctx = browser.new_context(offline=True)
    try:
        doc = ctx.new_page()
        requests: list[str] = []
        doc.on("request", lambda r: requests.append(r.url))
        doc.goto(path.as_uri())
        assert requests == [path.as_uri()], requests  # nothing but the file itself
        assert doc.locator("svg").count() == 5
        assert "Questions for discussion" in doc.inner_text("body")
        pdf = doc.pdf(format="A4", print_background=True)
        pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
        (artefacts / "briefing.pdf").write_bytes(pdf)
        doc.set_viewport_size({"width": 800, "height": 1130})
        doc.screenshot(path=str(artefacts / "briefing.png"), full_page=True)
        print(f"\nbriefing: {path} ({path.stat().st_size} bytes), {pages} A4 page(s)")
        assert pages == 1  # one event, no what-if: one page
    finally:
        ctx.close()
    assert watch.external == [] and watch.errors == []


def test_export_downloads_csv_and_png(app_page, artefacts) -> None:
    page, watch = app_page
    for _ in range(3):
        page.evaluate(STEP_AND_WAIT)
    with page.expect_download() as dl:
        page.get_by_text("Data (CSV)").click()
    csv = artefacts / dl.value.suggested_filename
    dl.value.save_as(csv)
    lines = csv.read_text().splitlines()
    assert lines[0].startswith("# lspsim app export") and lines[1].startswith("month,")
    assert len(lines) == 2 + 4  # months 0-3
    with page.expect_download() as dl:
        page.get_by_text("Charts (PNG)").click()
    png = artefacts / dl.value.suggested_filename
    dl.value.save_as(png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with page.expect_download() as dl:
        page.get_by_text("Save session").click()
    session = artefacts / dl.value.suggested_filename
    dl.value.save_as(session)
    assert "# month = 3" in session.read_text()
    assert watch.external == [] and watch.errors == []


def test_two_browsers_get_independent_models(app_page, browser, solara_server) -> None:
    page, watch = app_page
    other = browser.new_context(viewport=VIEWPORT)
    try:
        second = other.new_page()
        second_watch = Watch()
        second_watch.attach(second)
        second.goto(solara_server.base_url)
        second.locator(".lsp-step").wait_for(timeout=60_000)
        _wait_charts(second)
        for _ in range(3):
            page.evaluate(STEP_AND_WAIT)
        second.evaluate(STEP_AND_WAIT)
        assert _month(page).startswith("Month 3 of")
        assert _month(second).startswith("Month 1 of")
        assert second_watch.external == [] and second_watch.errors == []
    finally:
        other.close()


# Where an element is against the viewport and the set-up panel, and whether the page scrolls.
PLACE = """sel => {
    const el = document.querySelector(sel), panel = document.querySelector('.lsp-setup');
    const r = el.getBoundingClientRect(), p = panel.getBoundingClientRect();
    return {inView: r.top >= 0 && r.bottom <= innerHeight + 0.5 && r.left >= 0
                    && r.right <= innerWidth + 0.5 && r.height > 0,
            inPanel: r.top >= p.top - 0.5 && r.bottom <= p.bottom + 0.5
                     && r.left >= p.left - 0.5 && r.right <= p.right + 0.5,
            panelScrolled: panel.scrollTop,
            pageScroll: document.scrollingElement.scrollHeight - innerHeight,
            pageScrollTop: document.scrollingElement.scrollTop + window.scrollY};
}"""


def _placed(page, sel: str) -> dict:
    place = page.evaluate(PLACE, sel)
    assert place["inView"] and place["inPanel"], f"{sel} not on screen in its panel: {place}"
    assert place["pageScroll"] <= 0 and place["pageScrollTop"] == 0, f"page scrolls: {place}"
    return place


def test_expert_list_is_reachable_in_the_set_up_panel_without_page_scroll(app_page,
                                                                         artefacts) -> None:
    from lspsim.app.controls import expert_sections

    page, watch = app_page
    page.locator(".lsp-expert").get_by_text("Expert view").click()
    page.locator(".lsp-params").wait_for()
    assert page.locator(".lsp-param-section").count() == len(expert_sections())
    page.locator(".lsp-param-filter input").scroll_into_view_if_needed()
    place = _placed(page, ".lsp-param-filter")
    assert place["panelScrolled"] > 0  # the panel scrolled to it, not the page
    _placed(page, ".lsp-param-section")
    # a section opens in place; its parameters scroll inside the panel
    page.locator(".lsp-param-section", has_text="Leadership").click()
    first = ".lsp-p-leadership--styles--facilitative--pull"
    page.locator(first).wait_for()
    page.locator(first).scroll_into_view_if_needed()
    _placed(page, first)
    page.screenshot(path=str(artefacts / "expert-section-1280x720.png"))
    # the filter stays at the top of the panel and finds a parameter by words
    page.locator(".lsp-param-filter input").fill("contact weight")
    page.locator(".lsp-p-trust--weight_contact").wait_for()
    _placed(page, ".lsp-param-filter")
    _placed(page, ".lsp-p-trust--weight_contact")
    help_line = page.locator(".lsp-p-trust--weight_contact .lsp-help").inner_text()
    assert "trust.weight_contact" in help_line and "assumed" in help_line
    box = page.locator(".lsp-p-trust--weight_contact .lsp-typed input")
    box.fill("5")
    box.press("Enter")
    refused = page.locator(".lsp-p-trust--weight_contact .lsp-refused")
    refused.wait_for()
    assert "less than or equal to 1" in refused.inner_text()
    _placed(page, ".lsp-p-trust--weight_contact .lsp-refused")
    page.screenshot(path=str(artefacts / "expert-1280x720.png"))
    _fold_check(page, "expert view")
    assert watch.external == [] and watch.errors == []
