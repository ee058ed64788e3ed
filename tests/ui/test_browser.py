"""Real-browser smoke test: `streamlit run app.py` on a free port, Chromium signs in and
lands on the dashboard (its charts drawn), opens the case list with a seeded case; the
language switch works in the browser."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from PIL import Image

from legal_track.config import get_settings
from legal_track.db import make_engine, migrate
from tests.components import require_binary
from tests.factories import make_case, make_user

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
START_TIMEOUT = 90  # seconds for the server to answer /_stcore/health
PAGE_TIMEOUT = 60_000  # ms for a page element to appear


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed() -> None:
    from sqlmodel import Session

    from legal_track.auth import hash_password
    from legal_track.models import Role

    engine = make_engine(get_settings().database_url)
    migrate(engine)
    with Session(engine) as s:
        make_user(s, username="boss", role=Role.admin, password_hash=hash_password("browser-pass-1"))  # fmt: skip
        make_case(s, ref="LT-2026-424242")
        s.commit()
    engine.dispose()


def wait_healthy(proc: subprocess.Popen, url: str, log: Path) -> None:
    """Poll the health endpoint until it answers; waiting on the process between polls
    (so a crashed server fails at once, with its log)."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        try:
            proc.wait(timeout=0.25)
        except subprocess.TimeoutExpired:
            continue
        pytest.fail(f"streamlit exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
    pytest.fail(f"streamlit did not answer {url} within {START_TIMEOUT} s")


@pytest.fixture
def server(env):
    require_binary("chromium", "chromium")  # before starting anything
    seed()
    port = free_port()
    log = env / "streamlit.log"
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
        "--server.headless", "true", "--server.address", "127.0.0.1",
        "--server.port", str(port), "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=os.environ.copy(), stdout=out, stderr=subprocess.STDOUT
        )
    try:
        wait_healthy(proc, f"http://127.0.0.1:{port}/_stcore/health", log)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()  # the real PID: Popen started python itself, not a shell
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


@pytest.mark.slow
def test_sign_in_see_the_dashboard_and_the_case_list_in_chromium(server):
    chromium = require_binary("chromium", "chromium")
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.set_default_timeout(PAGE_TIMEOUT)
            wait = PAGE_TIMEOUT
            page.goto(server)
            page.get_by_label("用户名").fill("boss")
            page.get_by_label("密码").fill("browser-pass-1")
            page.get_by_role("button", name="登录").click()
            # an admin lands on the dashboard: its charts are drawn (not just emitted)
            expect(page.get_by_role("heading", name="总览")).to_be_visible(timeout=wait)
            charts = page.locator(".vega-embed")
            expect(charts.first).to_be_visible(timeout=wait)
            # funnel, dwell and recovery charts (waited for: under load they come one by one)
            expect(charts.nth(2)).to_be_visible(timeout=wait)
            marks = charts.first.locator("canvas, svg")
            expect(marks.first).to_be_visible(timeout=wait)
            shot = Image.open(io.BytesIO(charts.first.screenshot()))
            colours = shot.convert("RGB").getcolors(maxcolors=1 << 16)
            assert colours is None or len(colours) > 5, "the chart has drawn marks, not a blank box"
            page.get_by_role("link", name="案件列表").click()
            expect(page.get_by_role("heading", name="案件列表")).to_be_visible(timeout=wait)
            expect(page.get_by_text("共 1 件")).to_be_visible(timeout=wait)
            # the table is drawn on a canvas; a hidden accessible grid carries the cell text
            cell = page.locator("td[role=gridcell]", has_text="LT-2026-424242")
            expect(cell).to_be_attached(timeout=wait)
            page.get_by_text("English", exact=True).click()
            expect(page.get_by_role("heading", name="Cases")).to_be_visible(timeout=wait)
            expect(page.get_by_text("1 cases · page 1 of 1")).to_be_visible(timeout=wait)
            page.get_by_text("Filters", exact=True).click()  # and the form still works
            page.get_by_role("button", name="Apply").click()
            expect(page.get_by_text("1 cases · page 1 of 1")).to_be_visible(timeout=wait)
            expect(page.locator("[data-testid=stException]")).to_have_count(0)
        finally:
            browser.close()
