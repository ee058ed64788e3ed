"""Two app instances and two workers on one PostgreSQL database, for real (issue 15).

One migrated, seeded database; two `streamlit run app.py` servers and two
`legal-track worker` processes (as compose.yaml runs them) with the same database, evidence
store and SMTP relay: a real aiosmtpd server of the test. Chromium signs in on both
instances (two users; the same user on both); both edit the same case: the stale save is
refused with the other user's change on screen, nothing is lost, and each edit is seen
from the other instance. The workers: exactly one holds the scheduler lease and sends;
each due reminder arrives once; when the holder stops, the other takes over and sends
the next one, still once each.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from legal_track.db import make_engine, migrate
from legal_track.models import Case, Role
from legal_track.models.reminder import ReminderLog
from legal_track.reminders.scheduler import lease_state
from tests.components import pg_url, require_binary
from tests.operations.conftest import Installation, environment
from tests.operations.test_health import get
from tests.reminders.conftest import SmtpServer, make_deadline, make_owned_case, make_person
from tests.ui.test_browser import CHROMIUM_ARGS, PAGE_TIMEOUT, ROOT, free_port, wait_healthy

pytestmark = [pytest.mark.slow, pytest.mark.pg]

REF = "LT-2026-000123"
PASSWORD = "two-instances-1"
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def database(tmp_path) -> Iterator[Installation]:
    """A PostgreSQL database of this test, migrated, dropped afterwards."""
    url = make_url(pg_url())
    name = f"lt_two_{os.getpid()}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    inst = Installation(tmp_path, url.set(database=name).render_as_string(hide_password=False))
    for folder in (inst.store, inst.templates, tmp_path / "outbox", tmp_path / "output"):
        folder.mkdir(parents=True, exist_ok=True)
    engine = make_engine(inst.url)
    migrate(engine)
    engine.dispose()
    yield inst
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def seed(engine) -> int:
    """A lead and a staff member who can sign in; a case of the staff member with two
    fatal deadlines that alert now (due today and tomorrow, Shanghai time)."""
    from legal_track.auth import hash_password

    today = datetime.now(SHANGHAI).date()
    with Session(engine, expire_on_commit=False) as s:
        digest = hash_password(PASSWORD)
        lead = make_person(s, username="demo_lead", display_name="王主管", role=Role.lead,
                           email="demo_lead@lt.example.com", password_hash=digest)  # fmt: skip
        li = make_person(s, username="li", display_name="李律", role=Role.staff, lead_id=lead.id,
                         email="li@lt.example.com", password_hash=digest)  # fmt: skip
        case = make_owned_case(s, li, ref=REF, stage="lit_judgment", forum="北京市东城区人民法院")
        make_deadline(s, case=case, due=today)
        make_deadline(s, case=case, due=today + timedelta(days=1), rule_id="commission_defence")
        s.commit()
        return case.id


def settings_env(inst: Installation, smtp: SmtpServer) -> dict[str, str]:
    values = environment(inst) | {
        "LEGAL_TRACK_SMTP_HOST": "127.0.0.1",
        "LEGAL_TRACK_SMTP_PORT": str(smtp.port),
        "LEGAL_TRACK_SMTP_SECURITY": "none",
        "LEGAL_TRACK_SMTP_FROM": "legal-track <legal-track@lt.example.com>",
        "LEGAL_TRACK_DIGEST_ENABLED": "false",  # alerts only: one known message per deadline
        "LEGAL_TRACK_ALERT_INTERVAL_MINUTES": "1",
        "LEGAL_TRACK_LEASE_SECONDS": "6",  # a stopped holder is replaced within seconds
        "LEGAL_TRACK_RECOMPUTE_TIME": "",  # the seeded deadlines stay as they are
        "LEGAL_TRACK_APPROVAL_ACTIONS": "[]",
        "LEGAL_TRACK_WORKER_IN_APP": "false",  # as compose.yaml: the worker is its own service
    }
    base = {k: v for k, v in os.environ.items() if not k.startswith("LEGAL_TRACK_")}
    return base | values | {"PYTHONUNBUFFERED": "1"}


class Processes:
    """The processes of the test, stopped (by their own PIDs) at the end."""

    def __init__(self, root: Path, env: dict[str, str]):
        self.root, self.env, self.procs = root, env, []

    def start(self, name: str, args: list[str]) -> tuple[subprocess.Popen, Path]:
        log = self.root / f"{name}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=out,
                                    stderr=subprocess.STDOUT)  # fmt: skip
        self.procs.append(proc)
        return proc, log

    def app(self, name: str, port: int) -> tuple[subprocess.Popen, Path]:
        return self.start(name, [
            sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
            "--server.headless", "true", "--server.address", "127.0.0.1",
            "--server.port", str(port), "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none",
        ])  # fmt: skip

    def worker(self, name: str, port: int) -> tuple[subprocess.Popen, Path]:
        code = "from legal_track.cli import main; main()"
        return self.start(name, [sys.executable, "-c", code, "worker", "--health-port", str(port)])

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


def wait_until(predicate, *, timeout: float, what: str, logs: list[Path] = ()):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    tails = "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-1500:]}" for p in logs)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}\n{tails}")


def worker_state(port: int) -> dict | None:
    try:
        _, body = get(f"http://127.0.0.1:{port}/health")
    except OSError:
        return None
    return body["checks"].get("worker")


def sent_rows(engine) -> list[tuple[str, str, str, str | None]]:
    t = ReminderLog.__table__
    with engine.connect() as conn:
        rows = conn.execute(select(t.c.recipient, t.c.subject, t.c.status, t.c.claimed_by))
        return [tuple(r) for r in rows]


def delivered(engine, smtp: SmtpServer, n: int) -> bool:
    """`n` reminders decided, all sent, and the SMTP server holds as many messages."""
    rows = sent_rows(engine)
    return len(rows) == n and all(r[2] == "sent" for r in rows) and len(smtp.received) >= n


def mailed_once(smtp: SmtpServer, engine) -> Counter:
    counts = Counter((tuple(m.rcpt_tos), m.subject) for m in smtp.received)
    assert all(n == 1 for n in counts.values()), f"a reminder was mailed twice: {counts}"
    expected = {((r[0],), r[1]) for r in sent_rows(engine)}
    assert set(counts) == expected, "the SMTP server got exactly the recorded reminders"
    assert len({m.message_id for m in smtp.received}) == len(smtp.received)
    return counts


def sign_in(page, base: str, username: str) -> None:
    """Open the case by its link, sign in (the link is kept), open the settings tab."""
    from playwright.sync_api import expect

    page.goto(f"{base}/case?ref={REF}")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("tab", name="案件设置").click()
    expect(page.get_by_label("外部律师事务所")).to_be_visible()


def save(page) -> None:
    page.get_by_role("button", name="保存", exact=True).click()


def stored(engine, case_id: int) -> tuple[str | None, str | None, int]:
    with Session(engine) as s:
        case = s.get(Case, case_id)
        return case.forum, case.counsel_firm, case.version


def test_two_instances_and_two_workers_on_one_postgresql(database, tmp_path):
    chromium = require_binary("chromium", "chromium")  # before starting anything
    from playwright.sync_api import expect, sync_playwright

    engine = make_engine(database.url)
    case_id = seed(engine)
    smtp = SmtpServer(free_port())
    smtp.start()
    procs = Processes(tmp_path, settings_env(database, smtp))
    try:
        app_ports, worker_ports = (free_port(), free_port()), (free_port(), free_port())
        apps = [procs.app(f"app{i}", port) for i, port in enumerate(app_ports)]
        workers = [procs.worker(f"worker{i}", port) for i, port in enumerate(worker_ports)]
        for (proc, log), port in zip(apps, app_ports, strict=True):
            wait_healthy(proc, f"http://127.0.0.1:{port}/_stcore/health", log)
        one, two = (f"http://127.0.0.1:{port}" for port in app_ports)

        # ---- logins and edits from both instances ---------------------------------------
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            try:
                pages = []
                for _ in range(3):  # separate contexts: separate browser sessions
                    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
                    page.set_default_timeout(PAGE_TIMEOUT)
                    pages.append(page)
                lead_a, li_b, lead_b = pages
                sign_in(lead_a, one, "demo_lead")
                sign_in(li_b, two, "li")  # a second user, on the other instance
                sign_in(lead_b, two, "demo_lead")  # the same user, signed in on both
                # both forms now show version 1; the lead saves a new forum on instance one
                lead_a.get_by_label("法院/仲裁机构").fill("北京市朝阳区人民法院")
                save(lead_a)
                expect(lead_a.get_by_text("已保存：forum")).to_be_visible()
                assert stored(engine, case_id) == ("北京市朝阳区人民法院", None, 2)
                # li's form on instance two is stale: refused, the lead's change on screen
                li_b.get_by_label("外部律师事务所").fill("北京示例律师事务所")
                save(li_b)
                expect(li_b.get_by_text("已由 demo_lead")).to_be_visible()
                expect(li_b.get_by_label("法院/仲裁机构")).to_have_value("北京市朝阳区人民法院")
                assert stored(engine, case_id) == ("北京市朝阳区人民法院", None, 2), "kept"
                # li makes the edit again, on top of the lead's
                li_b.get_by_label("外部律师事务所").fill("北京示例律师事务所")
                save(li_b)
                expect(li_b.get_by_text("已保存：counsel_firm")).to_be_visible()
                assert stored(engine, case_id) == ("北京市朝阳区人民法院", "北京示例律师事务所", 3)
                # each instance shows both edits after a reload (a new session: sign in again)
                for page, base in ((lead_a, one), (lead_b, two)):
                    page.reload()
                    sign_in(page, base, "demo_lead")
                    expect(page.get_by_label("法院/仲裁机构")).to_have_value("北京市朝阳区人民法院")
                    expect(page.get_by_label("外部律师事务所")).to_have_value("北京示例律师事务所")
                for page in pages:
                    expect(page.locator("[data-testid=stException]")).to_have_count(0)
            finally:
                browser.close()

        # ---- reminders: one lease holder sends, each reminder once ----------------------
        worker_logs = [log for _, log in workers]
        states = wait_until(
            lambda: (s := [worker_state(p) for p in worker_ports])
            and all(s)
            and sorted(x["active"] for x in s) == [False, True]
            and s,
            timeout=60, what="one active and one standby worker", logs=worker_logs,
        )  # fmt: skip
        active = next(i for i, s in enumerate(states) if s["active"])
        holder, other = states[active]["holder"], states[1 - active]["holder"]
        assert lease_state(engine)[0] == holder, "the lease row names the active worker"
        for proc, _ in workers:  # run the check now on both; only the holder acts on it
            proc.send_signal(signal.SIGUSR1)
        wait_until(lambda: delivered(engine, smtp, 2), timeout=30,
                   what="the two alerts", logs=worker_logs)  # fmt: skip
        time.sleep(1.5)  # a second sender, if there were one, would show by now
        first = mailed_once(smtp, engine)
        assert sorted(r for (r,), _ in first) == ["li@lt.example.com"] * 2
        assert {r[3] for r in sent_rows(engine)} == {holder}, "only the lease holder sent"

        # ---- the holder stops: the other takes over and sends the next reminder, once ---
        workers[active][0].send_signal(signal.SIGTERM)
        workers[active][0].wait(timeout=30)
        wait_until(lambda: (s := worker_state(worker_ports[1 - active])) and s["active"],
                   timeout=30, what="the standby worker to take over", logs=worker_logs)  # fmt: skip
        assert lease_state(engine)[0] == other
        with Session(engine) as s:
            tomorrow = datetime.now(SHANGHAI).date() + timedelta(days=1)
            make_deadline(s, case=s.get(Case, case_id), due=tomorrow)  # another appeal period
            s.commit()
        workers[1 - active][0].send_signal(signal.SIGUSR1)
        wait_until(lambda: delivered(engine, smtp, 3), timeout=30,
                   what="the new holder's alert", logs=worker_logs)  # fmt: skip
        time.sleep(1.5)
        after = mailed_once(smtp, engine)
        assert len(after) == 3 and set(first) < set(after), "the first two were not sent again"
        claimed = Counter(r[3] for r in sent_rows(engine))
        assert claimed == Counter({holder: 2, other: 1}), claimed
    finally:
        procs.stop_all()
        smtp.stop()
        engine.dispose()
