"""report.html of a run and of a comparison: self-contained, and it renders in a real headless Chromium
with every image loaded and nothing on the console."""

from __future__ import annotations

import re
import time

import pytest
import yaml

from model.cli import main
from tests.report.browser import chromium, console_errors

pytestmark = pytest.mark.slow  # a real Chromium (and a server) per test


def scenario(tmp_path, name, levers=()):
    data = yaml.safe_load(open("scenarios/baseline.yaml"))
    data.update(name=name, horizon_years=4, description=f"{name.capitalize()} for the test. More words.")
    data["levers"] = list(levers)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data))
    return str(path)


@pytest.fixture(scope="module")
def comparison(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report")
    base = scenario(tmp, "base")
    teams = scenario(tmp, "teams", [{"type": "change_teams", "budget_msek_per_year": 150}])
    out = tmp / "cmp"
    assert main(["compare", teams, "--baseline", base, "--reps", "4", "--workers", "1", "--out", str(out),
                 "--quiet", "--gif"]) == 0
    return out


def test_the_report_is_one_self_contained_file(comparison):
    text = (comparison / "report.html").read_text(encoding="utf-8")
    # nothing is fetched: no address a browser would load, every image a data URI
    assert not re.search(r"""(src|href)=['"](?!data:|#)""", text)
    assert text.count("src='data:image/png;base64,") >= 8
    assert "data:image/gif;base64," in text
    for heading in ("Comparison", "Cost-effectiveness", "For whom", "Maps", "SustainGov matrix", "Scenarios"):
        assert f">{heading}</h2>" in text
    # assumptions and provenance of each scenario
    assert "change_teams" in text and "SHA-256 of the resolved scenario" in text and "root seed" in text


@pytest.mark.parametrize("which", ["comparison", "run"])
def test_the_report_renders_in_chromium_with_every_image_loaded(comparison, which):
    path = comparison / "report.html" if which == "comparison" else comparison / "teams"
    if which == "run":
        assert main(["report", str(path)]) == 0
        path = path / "report.html"
    driver = chromium()
    try:
        start = time.perf_counter()
        driver.get(path.as_uri())
        assert driver.execute_script("return document.readyState") == "complete"
        images = driver.execute_script(
            "return Array.from(document.images).map(i => [i.alt, i.complete, i.naturalWidth])")
        assert len(images) >= (8 if which == "comparison" else 5)
        assert all(complete and width > 0 for _, complete, width in images), images
        assert driver.find_element("tag name", "h1").text
        assert not console_errors(driver)
        print(f"{which} report rendered in {time.perf_counter() - start:.2f} s")
    finally:
        driver.quit()
