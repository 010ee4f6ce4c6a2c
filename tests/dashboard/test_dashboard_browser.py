"""`spridning dashboard` in a real headless Chromium, as a room would see it: every browser session has its
own model, Reset restores the scenario's values exactly, the map and its legend fit the window at
1366×768 and 1920×1080, slider values are shown, no developer controls, the quarter as "2026 Q1",
English and Swedish, a quiet terminal; the server listens on 127.0.0.1 only and is stopped after.

Screenshots at 1920×1080 (English, Swedish) go to ``$SPRIDNING_SCREENSHOTS`` (default: /tmp) as
``dashboard-en.png`` and ``dashboard-sv.png``.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from tests.report.browser import chromium, console_errors

pytestmark = pytest.mark.slow  # a real Chromium (and a server) per test

pytest.importorskip("solara", reason="solara is not installed (pip install -e .)")
pytestmark = pytest.mark.slow

QUARTER = re.compile(r"quarter (\d+) of \d+ · (\d{4}) Q([1-4])")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, seconds: float, what: str):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


@pytest.fixture(scope="module")
def server():
    port = free_port()
    log = tempfile.TemporaryFile()
    process = subprocess.Popen([sys.executable, "-m", "model", "dashboard", "--port", str(port)],
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"

    def terminal() -> str:
        log.seek(0)
        return log.read().decode(errors="replace")

    def up():
        try:
            return urllib.request.urlopen(url, timeout=2).status == 200
        except OSError:
            return process.poll() is not None and pytest.fail(terminal()[-3000:])

    try:
        wait_for(up, 90, "the dashboard server")
        yield port, url, terminal
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # the command and the Solara server it started
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture
def browser():
    driver = chromium()
    yield driver
    driver.quit()


def viewport(driver, width: int, height: int) -> None:
    """Make the page's viewport exactly ``width`` × ``height`` CSS pixels (as a projector's screen)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})


def status(driver) -> str:
    found = driver.find_elements("css selector", ".spridning-status")
    try:
        return found[0].text if found else ""
    except Exception:  # redrawn while read
        return ""


def open_page(driver, url: str) -> str:
    driver.get(url)
    wait_for(lambda: "quarter 0 " in status(driver), 90, "the status line")
    wait_for(lambda: len(images(driver)) >= 3, 60, "the map and the two plots")
    return status(driver)


def images(driver) -> list[str]:
    return [i.get_attribute("src") for i in driver.find_elements("tag name", "img")
            if (i.get_attribute("src") or "").startswith(("data:image", "blob:"))]


def button(driver, label: str):
    """The button labelled ``label`` (any case); None when there is none (yet)."""
    try:
        return next((b for b in driver.find_elements("tag name", "button")
                     if b.text.strip().lower() == label.lower()), None)
    except Exception:  # redrawn while read
        return None


def slider_values(driver) -> dict[str, str]:
    """Each slider's label -> the value shown beside it."""
    shown = {}
    for row in driver.find_elements("css selector", ".spridning-slider-label"):
        label, _, value = row.text.rpartition(":")
        shown[label.strip()] = value.strip()
    return shown


def test_the_dashboard_listens_on_loopback_only(server):
    port, _, _ = server
    addresses = {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
    for address in addresses - {"127.0.0.1"}:
        with socket.socket() as s:
            s.settimeout(1)
            assert s.connect_ex((address, port)) != 0, f"the dashboard answers on {address}"


def test_two_sessions_have_their_own_models_and_a_reload_starts_at_quarter_0(server):
    _, url, _ = server
    first, second = chromium(), chromium()
    try:
        assert "quarter 0 of 40 · 2026 Q1" in open_page(first, url)
        open_page(second, url)
        before = images(first)
        for quarter in (1, 2):
            button(first, "step").click()
            wait_for(lambda q=quarter: f"quarter {q} of" in status(first), 60, f"quarter {quarter}")
        assert "2026 Q3" in status(first)
        wait_for(lambda: images(first) != before, 30, "the plots to be redrawn")
        assert sum(a != b for a, b in zip(before, images(first))) >= 2  # the map and the diffusion plot at least
        assert "quarter 0 of 40 · 2026 Q1" in status(second)  # the other session did not move
        first.refresh()  # a reload is a new session: a rehearsed talk starts again at quarter 0
        assert "quarter 0 of 40" in open_page(first, url)
        assert not [e for e in console_errors(first) if "favicon" not in e], console_errors(first)
    finally:
        first.quit()
        second.quit()


def _shown(name: str, lang: str = "en", steps: int = 0) -> str:
    """What the slider of parameter ``name`` shows for the baseline's value, ``steps`` grid steps on."""
    from model.dashboard.live import controls, decimals
    from model.dashboard.words import number

    control = controls("baseline")[name]
    return number(control.value + steps * control.step, lang, decimals(control.step))


def test_reset_restores_the_scenarios_values_exactly_and_a_moved_slider_changes_the_model(server, browser):
    _, url, _ = server
    assert "the scenario's own settings" in open_page(browser, url)
    shown = slider_values(browser)
    assert shown["Awareness through general channels (per quarter)"] == _shown("p_external")
    assert shown["Development capacity (scale)"] == _shown("capacity_scale")
    assert shown["Seed"] == "1" and shown["Peer review"] == "0"
    button(browser, "step").click()
    wait_for(lambda: "quarter 1 of" in status(browser), 60, "quarter 1")
    button(browser, "reset").click()  # nothing moved: the scenario's values, exactly
    wait_for(lambda: "quarter 0 of" in status(browser), 60, "the reset")
    assert status(browser).endswith("the scenario's own settings"), status(browser)
    # move p_external three steps (keyboard on its thumb): the label shows it, Reset uses it
    row = [e for e in browser.find_elements("css selector", ".v-slider")][1]
    thumb = row.find_element("css selector", ".v-slider__thumb-container, [role='slider']")
    browser.execute_script("arguments[0].focus()", thumb)
    thumb.send_keys("\ue014" * 3)  # ArrowRight three times
    moved = _shown("p_external", steps=3)
    wait_for(lambda: slider_values(browser)["Awareness through general channels (per quarter)"] == moved, 10,
             "the moved value beside the slider")
    button(browser, "reset").click()
    wait_for(lambda: status(browser).endswith(f"p_external={float(moved):g}"), 60, "a model with the moved p_external")
    # and back: the scenario's values button, then Reset, is the file's scenario again
    button(browser, "scenario's values").click()
    wait_for(lambda: slider_values(browser)["Awareness through general channels (per quarter)"] ==
             _shown("p_external"), 10, "the scenario's value beside the slider")
    button(browser, "reset").click()
    wait_for(lambda: status(browser).endswith("the scenario's own settings"), 60, "the scenario's own settings")


def test_play_steps_until_paused_and_another_scenario_starts_at_reset(server, browser):
    _, url, _ = server
    open_page(browser, url)
    button(browser, "play").click()
    wait_for(lambda: int(QUARTER.search(status(browser)).group(1)) >= 2, 60, "two quarters played")
    button(browser, "pause").click()
    paused = wait_for(lambda: button(browser, "play") and status(browser), 10, "the pause")
    time.sleep(1.5)  # several play intervals: nothing moves while paused
    assert status(browser) == paused
    browser.find_element("css selector", ".v-select").click()
    wait_for(lambda: [o for o in browser.find_elements("css selector", ".v-list-item") if o.text == "bass"], 10,
             "the scenario list")[0].click()
    button(browser, "reset").click()
    wait_for(lambda: status(browser).startswith("Scenario bass · quarter 0 of"), 60, "the bass scenario")
    assert status(browser).endswith("the scenario's own settings")


@pytest.mark.parametrize("width, height", [(1366, 768), (1920, 1080)])
def test_the_map_and_its_legend_fit_the_window_and_no_developer_controls_show(server, browser, width, height):
    _, url, _ = server
    viewport(browser, width, height)
    open_page(browser, url)
    size = browser.execute_script("return [window.innerWidth, window.innerHeight]")
    assert size == [width, height]
    time.sleep(0.5)  # the images' layout after they load; their boxes are then read once
    box = browser.execute_script(
        "const r = document.querySelector('img.spridning-map').getBoundingClientRect();"
        "return [r.left, r.top, r.right, r.bottom, document.querySelector('img.spridning-map').naturalHeight];")
    left, top, right, bottom, natural = box
    assert natural > 0 and left >= 0 and top >= 0 and right <= width and bottom <= height, (box, size)
    assert bottom - top > height * 0.6  # the map uses the window's height (the legend is drawn inside it)
    page = browser.find_element("tag name", "body").text
    for developer in ("Use Threads", "PAGE 0", "Page 0", "Render Interval", "Play Interval"):
        assert developer not in page
    assert QUARTER.search(status(browser)) and "2026.00" not in page


def test_swedish_at_the_switch_and_screenshots_at_1920x1080(server, browser):
    _, url, _ = server
    folder = Path(os.environ.get("SPRIDNING_SCREENSHOTS", tempfile.gettempdir()))
    viewport(browser, 1920, 1080)
    open_page(browser, url)
    button(browser, "step").click()
    wait_for(lambda: "quarter 1 of" in status(browser), 60, "quarter 1")
    time.sleep(1)
    browser.save_screenshot(str(folder / "dashboard-en.png"))
    button(browser, "sv").click()
    wait_for(lambda: "kvartal 1 av 40 · 2026 Q2" in status(browser), 30, "the Swedish status line")
    assert "scenariots egna inställningar" in status(browser) and re.search(r"spridning \d+,\d %", status(browser))
    wait_for(lambda: slider_values(browser).get("Kännedom via allmänna kanaler (per kvartal)") ==
             _shown("p_external", "sv"), 10,
             f"the Swedish slider labels, not {slider_values(browser)}")
    for label in ("ÅTERSTÄLL", "STEG", "SPELA"):
        assert button(browser, label), label
    time.sleep(1)
    browser.save_screenshot(str(folder / "dashboard-sv.png"))


def test_the_terminal_shows_the_address_and_no_warnings(server):
    *_, terminal = server
    text = terminal()
    assert "dashboard: http://127.0.0.1:" in text
    assert "Warning" not in text and "Traceback" not in text, text[-3000:]
