"""A real browser (Debian's chromium, headless, driven by Playwright) against a local launch of the Space."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _ensure_chromium() -> str:
    """Debian's chromium; installed with apt-get once when missing, else the test is skipped."""
    if not Path(CHROMIUM).exists() and shutil.which("apt-get") and os.geteuid() == 0:
        try:
            subprocess.run(["apt-get", "install", "-y", "chromium"], check=False, capture_output=True, timeout=600)
        except (OSError, subprocess.TimeoutExpired):
            pass
    if not Path(CHROMIUM).exists():
        pytest.skip(
            "chromium is not installed and `apt-get install -y chromium` was not possible: browser test skipped"
        )
    return CHROMIUM


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip package `playwright` is not installed")
    executable = _ensure_chromium()
    profile = tempfile.mkdtemp(prefix="auglift-chromium-")
    with sync_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=executable, headless=True, args=ARGS, viewport={"width": 1280, "height": 1400}
        )
        try:
            yield context
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


def test_upload_keypoints_shows_3d_plot(browser, launched, keypoints_file, tmp_path):
    start = time.monotonic()
    page = browser.new_page()
    page.set_default_timeout(30_000)
    page.goto(launched)
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2, 3]")

    # an invalid upload gives an error message...
    page.locator("input[type=file]").first.set_input_files(str(bad))
    page.get_by_role("button", name="Lift keypoints").click()
    page.locator("#status").get_by_text("Error:").wait_for()
    # ...and the app is still responsive: clear, upload the real keypoints, lift
    page.get_by_label("Clear").first.click()
    page.locator("input[type=file]").first.set_input_files(str(keypoints_file))
    page.get_by_label("Image width (px)").fill("640")
    page.get_by_label("Image height (px)").fill("480")
    page.get_by_role("button", name="Lift keypoints").click()
    page.locator("#status").get_by_text("Lifted 6 frame(s)").wait_for()
    page.locator("#left-plot .js-plotly-plot").wait_for()
    page.locator("#right-plot .js-plotly-plot").wait_for()
    assert page.locator("#left-plot .scatter3d, #left-plot .gl-container").count() >= 1
    shot_dir = Path(os.environ.get("AUGLIFT_SCREENSHOT_DIR", tmp_path))
    shot_dir.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot_dir / "space.png"), full_page=True)
    assert (shot_dir / "space.png").stat().st_size > 10_000
    page.close()
    assert time.monotonic() - start < 60
