"""`spridning dashboard` in a real headless Chromium: the page loads, a step changes the plot, moving a
slider (then Reset) changes the model; the server listens on 127.0.0.1 only and is stopped after."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.report.browser import chromium, console_errors

pytestmark = pytest.mark.slow  # a real Chromium (and a server) per test

pytest.importorskip("solara", reason="solara is not installed (pip install -e .)")


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
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "model", "dashboard", "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"

    def up():
        try:
            return urllib.request.urlopen(url, timeout=2).status == 200
        except OSError:
            return process.poll() is not None and pytest.fail(process.stdout.read().decode()[-3000:])

    try:
        wait_for(up, 90, "the dashboard server")
        print(f"dashboard served after {time.perf_counter() - start:.1f} s")
        yield port, url
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # the command and the Solara server it started
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


    def down():
        try:
            urllib.request.urlopen(url, timeout=2)
        except OSError:
            return True
        return False

    wait_for(down, 15, "the server to stop")


def test_the_dashboard_listens_on_loopback_only(server):
    port, _ = server
    addresses = {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
    for address in addresses - {"127.0.0.1"}:
        with socket.socket() as s:
            s.settimeout(1)
            assert s.connect_ex((address, port)) != 0, f"the dashboard answers on {address}"


def test_a_step_changes_the_plot_and_a_slider_changes_the_model(server):
    _, url = server
    driver = chromium()
    try:
        driver.get(url)
        def status() -> str:
            found = driver.find_elements("css selector", ".spridning-status")
            try:
                return found[0].text if found else ""
            except Exception:  # redrawn while read
                return ""

        wait_for(lambda: "quarter 0" in status(), 90, "the status line")
        plots = lambda: [i.get_attribute("src") for i in driver.find_elements("tag name", "img")  # noqa: E731
                         if (i.get_attribute("src") or "").startswith(("data:image", "blob:"))]
        wait_for(lambda: len(plots()) >= 3, 60, "the map and the two plots")
        before = plots()
        button = lambda label: next(b for b in driver.find_elements("tag name", "button")  # noqa: E731
                                    if b.text.strip().lower() == label)
        button("step").click()
        wait_for(lambda: "quarter 1 of" in status(), 60, "quarter 1")
        wait_for(lambda: plots() != before and len(plots()) >= 3, 30, "the plots to be redrawn")
        assert sum(a != b for a, b in zip(before, plots())) >= 2  # the diffusion plot and the map at least
        # move the p_external slider (keyboard on its thumb), then Reset builds a model with the new value
        old = status()
        assert "p_external=0.02" in old
        row = next(e for e in driver.find_elements("css selector", ".v-input")
                   if e.text.startswith("p_external"))
        thumb = row.find_element("css selector", ".v-slider__thumb-container, [role='slider']")
        driver.execute_script("arguments[0].focus()", thumb)
        thumb.send_keys("\ue014" * 3)  # ArrowRight three times
        button("reset").click()
        wait_for(lambda: "quarter 0" in status() and "p_external=0.02," not in status(), 60,
                 "a new model with the moved p_external")
        assert not [e for e in console_errors(driver) if "favicon" not in e], console_errors(driver)
    finally:
        driver.quit()
