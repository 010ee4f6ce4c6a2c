"""A real headless Chromium (Debian's chromium and chromium-driver) driven by Selenium, for the browser tests.

Skips the test, saying why, only when the browser or its driver is truly absent; CI installs both
(``.ci/run``).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
DRIVER = "/usr/bin/chromedriver"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1400,1000")


def chromium():
    """A Selenium driver of headless Chromium with a fresh profile and the browser console recorded."""
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e '.[dev]')")
    from selenium.webdriver.chrome.service import Service

    binary = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    driver = DRIVER if Path(DRIVER).exists() else shutil.which("chromedriver")
    if not binary or not driver:
        pytest.skip("Debian's chromium and chromium-driver are not installed "
                    "(apt-get install -y chromium chromium-driver; .ci/run does this)")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tempfile.mkdtemp(prefix='spridning-chromium-')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(driver), options=options)


def console_errors(driver) -> list[str]:
    """Messages the page logged at error level (failed loads, uncaught exceptions, console.error)."""
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
