"""The role x page x action matrix (tests/access_matrix.py) against the running code.

Pages: AppTest opens every page as every role, through the menu for the roles that may
open it and by its URL for the others (who get the landing page, not the content); a
page script run directly for a refused role shows the refusal. Actions: every service is
called with every role: allowed, it works; refused, it raises its access error and
nothing is written (every table's row count unchanged). Personal data: what each role
sees of the borrower on the case page and in a counsel package. The docs' "Roles" table
is the matrix.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import func, select
from sqlmodel import Session, SQLModel
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

import legal_track.models  # noqa: F401  (every table)
from legal_track.approvals import ApprovalError, ApprovalNeeded
from legal_track.auth import AuthError
from legal_track.cli.common import reset_engine
from legal_track.config import Settings, get_settings
from legal_track.counsel import CounselError, add_firm, assign_case, link_account
from legal_track.counsel.package import PackageError
from legal_track.db import make_engine, migrate
from legal_track.escalation import EscalationError
from legal_track.evidence.intake import IntakeTools
from legal_track.evidence.register import add_item
from legal_track.i18n import t
from legal_track.models import CaseEvent, Deadline, Loan, Role, User
from legal_track.privacy import RoleRefused
from legal_track.ui import nav
from legal_track.ui.context import USER_KEY, UserInfo
from tests import access_matrix as m
from tests.evidence.samples import image_bytes
from tests.factories import make_borrower, make_case, make_contact, make_loan, make_user

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
NOW = datetime(2026, 12, 3, 2, tzinfo=UTC)
TODAY = date(2026, 12, 3)
PHONE = "13912345678"


# --- the matrix itself -------------------------------------------------------------------


def test_the_matrix_names_every_page_of_the_navigation():
    assert list(m.PAGES) == [p.key for p in nav.PAGES], "one matrix row per page, in menu order"


@pytest.mark.parametrize("role", m.ROLES)
def test_the_menu_of_each_role_is_the_matrix(role):
    expected = [key for key in m.PAGES if m.may(m.PAGES, key, role)]
    assert [p.key for p in nav.pages_for(role)] == expected


def test_the_docs_roles_table_is_the_matrix():
    text = (ROOT / "docs" / "audit.md").read_text(encoding="utf-8")
    assert m.markdown_table() in text, (
        "docs/audit.md's Roles table differs from tests/access_matrix.py: paste "
        "markdown_table() into the docs (then `python -m legal_track.readme`)"
    )


# --- pages -------------------------------------------------------------------------------


@dataclass
class Site:
    users: dict[str, User]
    case_ref: str
    contract: str
    id_number: str
    unfiled_ref: str = ""  # firm A's case without filing, with an ID scan


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Site:
    """One migrated SQLite database for every page run of this module: an account per
    role, firm A's case (filing) and firm B's case; counsel belongs to firm A."""
    root = tmp_path_factory.mktemp("matrix_site")
    mp = pytest.MonkeyPatch()
    mp.chdir(root)
    for key in [k for k in __import__("os").environ if k.startswith("LEGAL_TRACK_")]:
        if key != "LEGAL_TRACK_TEST_PG_URL":
            mp.delenv(key)
    for key, value in {"DATABASE_URL": f"sqlite:///{root / 'lt.db'}",
                       "EVIDENCE_DIR": str(root / "store"), "OUTBOX_DIR": str(root / "outbox"),
                       "OUTPUT_DIR": str(root / "output"),
                       "TEMPLATES_DIR": str(root / "templates"),
                       "APPROVAL_ACTIONS": "[]"}.items():  # fmt: skip
        mp.setenv(f"LEGAL_TRACK_{key}", value)
    get_settings.cache_clear()
    reset_engine()
    engine = make_engine(get_settings().database_url)
    migrate(engine)
    with Session(engine, expire_on_commit=False) as s:
        users = {r: make_user(s, username=f"m_{r}", role=Role(r), password_hash="-")
                 for r in m.ROLES}  # fmt: skip
        firm_a = add_firm(s, name="甲律师事务所", actor="t", now=NOW)
        firm_b = add_firm(s, name="乙律师事务所", actor="t", now=NOW)
        link_account(s, user_id=users["counsel"].id, firm_id=firm_a.id, actor="t", now=NOW)
        borrower = make_borrower(s, phone=PHONE)
        loan_a = make_loan(s, contract_no="HT-MX-A", borrower_id=borrower.id)
        case_a = make_case(s, ref="LT-2026-900001", loans=[loan_a])
        case_b = make_case(s, ref="LT-2026-900002", loans=[make_loan(s, contract_no="HT-MX-B")])
        for case, firm in ((case_a, firm_a), (case_b, firm_b)):
            assign_case(s, case_id=case.id, firm_id=firm.id, on=date(2026, 11, 1), actor="t",
                        now=NOW)  # fmt: skip
        # firm A's second case, not filing: its ID scan is not for the firm
        loan_c = make_loan(s, contract_no="HT-MX-C")
        case_c = make_case(s, ref="LT-2026-900003", loans=[loan_c])
        assign_case(s, case_id=case_c.id, firm_id=firm_a.id, on=date(2026, 11, 1), actor="t",
                    now=NOW, includes_filing=False)  # fmt: skip
        tools = IntakeTools(qpdf=None, soffice=None)
        for name, category, color in (("合同.png", "loan_contract", "red"),
                                      ("身份证.png", "id_document", "blue")):  # fmt: skip
            add_item(s, data=image_bytes("PNG", (200, 120), color), original_name=name,
                     category=category, source="s", purpose="p", captured_at=None, actor="t",
                     now=NOW, case_ids=[case_c.id], tools=tools)  # fmt: skip
        s.commit()
        made = Site(users, case_a.ref, loan_a.contract_no, borrower.id_number, case_c.ref)
    yield made
    engine.dispose()
    st.cache_resource.clear()
    st.cache_data.clear()
    mp.undo()
    get_settings.cache_clear()
    reset_engine()


def _page(key: str) -> nav.NavPage:
    return next(p for p in nav.PAGES if p.key == key)


def _titles(at) -> list[str]:
    return [x.value for x in at.title]


def _open_by_url(at, key: str):
    """What the browser asks for at /<key>: st.Page hashes its url_path, and the server
    looks that hash up among the pages the script registered for this user."""
    at._page_hash = calc_hash(key)
    return at.run()


@pytest.mark.parametrize("role", m.ROLES)
def test_each_page_opens_for_the_roles_it_is_for_and_no_other(site, role):
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.session_state[USER_KEY] = UserInfo.of(site.users[role])
    at.run()
    assert not at.exception, at.exception
    landing = at.session_state["shell.page"]
    assert landing == "", "the landing page is the navigation's default (URL /)"
    landing_titles = _titles(at)
    for key in m.PAGES:
        page = _page(key)
        title = t(page.title_key, "zh")
        if m.may(m.PAGES, key, role):
            at.switch_page(page.path)
            if key == "case":
                at.query_params["ref"] = site.case_ref
            if key == "loan":
                at.query_params["contract"] = site.contract
            at.run()
            assert not at.exception, f"{role} on /{key}: {at.exception}"
            reached = "" if key == nav.landing_for(role) else key  # the default page is /
            assert at.session_state["shell.page"] == reached, f"{role} should reach /{key}"
            errors = [e.value for e in at.error]
            assert t("ui.denied", "zh") not in errors, f"{role} is refused /{key}: {errors}"
            if key == "case":
                _check_case_page(at, site, role)
            at.query_params.clear()
        else:
            with pytest.raises(ValueError):
                at.switch_page(page.path)  # not in this role's navigation at all
            _open_by_url(at, key)
            assert not at.exception, f"{role} by URL /{key}: {at.exception}"
            assert at.session_state["shell.page"] == landing, (
                f"{role} asking for /{key} by its URL must land on /{nav.landing_for(role)}"
            )
            assert title not in _titles(at), f"{role} sees the title of /{key}"
            assert _titles(at) == landing_titles, f"{role} by URL /{key}: the landing page"


def _check_case_page(at, site: Site, role: str) -> None:
    party = at.dataframe[0].value.to_dict("records")[0]
    level = m.allowed(m.PERSONAL_DATA, "id_number", role)  # firm A files for the lender
    if level == m.MASKED:
        assert party["身份证号"] == site.id_number[:6] + "********" + site.id_number[-4:]
        assert party["手机号"] == "139****5678"
    else:
        assert (party["身份证号"], party["手机号"]) == (site.id_number, PHONE), role


@pytest.mark.parametrize(("role", "previews"), [("staff", 2), ("viewer", 0), ("counsel", 1)])
def test_evidence_previews_show_only_what_the_role_may_open(site, role, previews):
    """A preview is a page of the file: counsel of a firm that does not file get none of
    the ID scan; viewers get no previews at all."""
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.session_state[USER_KEY] = UserInfo.of(site.users[role])
    at.run()
    at.switch_page(_page("case").path)
    at.query_params["ref"] = site.unfiled_ref
    at.session_state["case.tabs"] = "证据"
    at.run()
    assert not at.exception, at.exception
    if previews:
        at.toggle(key="evidence.previews").set_value(True).run()
        assert not at.exception, at.exception
    else:
        assert not at.get("toggle"), "no preview switch for a viewer"
    assert len(at.get("image")) == previews, f"{role}: {previews} previews"


REFUSED_PAGES = [(role, key) for role in m.ROLES for key in m.PAGES
                 if not m.may(m.PAGES, key, role)]  # fmt: skip


@pytest.mark.parametrize("role", m.ROLES)
def test_a_page_script_run_for_a_refused_role_shows_the_refusal(site, role):
    """Defence in depth: should a refused page ever be registered for the role, its own
    `require_role` stops it before any content."""
    refused = [key for r, key in REFUSED_PAGES if r == role]
    for key in refused:
        at = AppTest.from_file(str(ROOT / _page(key).path), default_timeout=30)
        at.session_state[USER_KEY] = UserInfo.of(site.users[role])
        at.run()
        assert not at.exception, f"{role} on {key}: {at.exception}"
        assert [e.value for e in at.error] == [t("ui.denied", "zh")], f"{role} on /{key}"
        assert not at.title and not at.dataframe and not at.button, f"{role} sees /{key}"


# --- actions: a fresh database per call --------------------------------------------------


@dataclass
class World:
    session: Session
    tmp: Path
    settings: Settings
    users: dict[str, User]
    firm_a: int
    firm_b: int
    case_id: int  # firm A's case, filing
    case_ref: str
    loan_id: int
    contract: str
    proposed: str = ""  # a contract the escalation rules propose today
    extra: dict = field(default_factory=dict)

    def firm(self, role: str) -> int | None:
        return self.firm_a if role == "counsel" else None


@pytest.fixture
def world(session, tmp_path) -> World:
    settings = Settings(_env_file=None, database_url="sqlite://", evidence_dir=tmp_path / "store",
                        output_dir=tmp_path / "out", templates_dir=tmp_path / "templates",
                        outbox_dir=tmp_path / "outbox")  # fmt: skip
    users = {r: _user(session, f"u_{r}", r) for r in m.ROLES}
    firm_a = add_firm(session, name="甲律师事务所", actor="t", now=NOW)
    firm_b = add_firm(session, name="乙律师事务所", actor="t", now=NOW)
    link_account(session, user_id=users["counsel"].id, firm_id=firm_a.id, actor="t", now=NOW)
    loan = make_loan(session, contract_no="HT-W-A")
    case = make_case(session, ref="LT-2026-800001", loans=[loan], stage="demand_letter",
                     owner_id=users["staff"].id)  # fmt: skip
    assign_case(session, case_id=case.id, firm_id=firm_a.id, on=date(2026, 11, 1), actor="t",
                now=NOW)  # fmt: skip
    proposed = make_loan(session, contract_no="HT-W-Q", overdue_since=date(2026, 6, 1))
    make_contact(session, proposed, at=datetime(2026, 11, 20, 2, tzinfo=UTC))
    session.commit()
    return World(session, tmp_path, settings, users, firm_a.id, firm_b.id, case.id, case.ref,
                 loan.id, loan.contract_no, proposed.contract_no)  # fmt: skip


def _user(session: Session, username: str, role: str) -> User:
    """An account without a real password hash (argon2 costs a tenth of a second each)."""
    user = User(username=username, display_name=username, role=Role(role), password_hash="-",
                created_at=NOW)  # fmt: skip
    session.add(user)
    session.flush()
    return user


def _counts(session: Session) -> dict[str, int]:
    session.expire_all()
    return {
        name: session.execute(select(func.count()).select_from(table)).scalar_one()
        for name, table in SQLModel.metadata.tables.items()
    }


def _actor(w: World, role: str) -> str:
    return w.users[role].username


# Each action: (prepare(w) -> None or None, do(w, role)). `do` performs the action once as
# `role` and returns something truthy when it worked.


def _event(w: World, kind: str = "demand_letter_sent") -> CaseEvent:
    from legal_track.cases.events import add_event

    return add_event(w.session, case_id=w.case_id, kind=kind, on=TODAY, actor="t", now=NOW)


def _deadline(w: World) -> int:
    d = Deadline(case_id=w.case_id, rule_id="r", rule_version="1", trigger_date=TODAY,
                 raw_due=TODAY, due=TODAY, severity="critical", computed_at=NOW)  # fmt: skip
    w.session.add(d)
    w.session.commit()
    return d.id


def _template_files(w: World):
    from legal_track.documents.registry import ensure_builtin

    ensure_builtin(w.session, now=NOW, settings=w.settings)


def _doc_case(w: World):
    from tests.documents.conftest import full_case

    _template_files(w)
    return full_case(w.session)


def do_import_file(w, role):
    from legal_track.intake import import_bytes
    from tests.intake.files import LOAN_ROWS, LOAN_ZH, csv_bytes

    return import_bytes(w.session, kind="loans", data=csv_bytes(LOAN_ZH, LOAN_ROWS),
                        filename="loans.csv", actor=_actor(w, role), now=NOW, role=role)  # fmt: skip


def do_open_case(w, role):
    from legal_track.escalation import open_case

    return open_case(w.session, contracts=["HT-W-H"], route="litigation", today=TODAY,
                     now=NOW, actor=_actor(w, role), role=role)  # fmt: skip


def prep_loan(w):
    make_loan(w.session, contract_no="HT-W-H")
    w.session.commit()


def _change(**kw):
    def do(w, role):
        from legal_track.escalation import change_case

        return change_case(w.session, case_id=w.case_id, now=NOW, actor=_actor(w, role),
                           role=role, **kw)  # fmt: skip

    return do


def do_add_event(w, role):
    from legal_track.cases.events import add_event

    return add_event(w.session, case_id=w.case_id, kind="demand_letter_sent", on=TODAY,
                     actor=_actor(w, role), now=NOW, role=role)  # fmt: skip


def do_update_event(w, role):
    from legal_track.cases.events import update_event

    return update_event(w.session, event_id=w.extra["event"], actor=_actor(w, role), now=NOW,
                        role=role, note="corrected")  # fmt: skip


def do_delete_event(w, role):
    from legal_track.cases.events import delete_event

    return delete_event(w.session, event_id=w.extra["event"], actor=_actor(w, role), now=NOW,
                        role=role) is not None  # fmt: skip


def prep_event(w):
    w.extra["event"] = _event(w).id


def do_complete_deadline(w, role):
    from legal_track.deadlines import complete_deadline

    return complete_deadline(w.session, deadline_id=w.extra["deadline"], actor=_actor(w, role),
                             now=NOW, note="filed", role=role)  # fmt: skip


def prep_deadline(w):
    w.extra["deadline"] = _deadline(w)


def do_accept(w, role):
    from legal_track.escalation import accept

    report = accept(w.session, contracts=[w.proposed], today=TODAY, now=NOW,
                    actor=_actor(w, role), role=role, owner="u_staff")  # fmt: skip
    return report.cases


def do_reject(w, role):
    from legal_track.escalation import reject

    return reject(w.session, contracts=[w.proposed], reason="settling", today=TODAY, now=NOW,
                  actor=_actor(w, role), role=role)  # fmt: skip


def do_request_approval(w, role):
    from legal_track.cases.events import add_event

    with pytest.raises(ApprovalNeeded) as needed:
        add_event(w.session, case_id=w.case_id, kind="complaint_filed", on=TODAY,
                  actor=_actor(w, role), now=NOW, role=role)  # fmt: skip
    return needed.value.request_id


def prep_approvals_on(w):
    w.extra["approvals"] = True  # the test turns the setting on


def prep_request(w):
    """A pending request by another account (not one of the five under test)."""
    from legal_track.approvals import gate

    other = _user(w.session, "maker", "staff")
    w.session.commit()
    with pytest.raises(ApprovalNeeded) as needed:
        gate(w.session, action="filing", case_id=w.case_id, payload={"kind": "complaint_filed"},
             actor=other.username, now=NOW, required=["filing"])  # fmt: skip
    w.extra["request"] = needed.value.request_id


def do_approve(w, role):
    from legal_track.approvals import approve

    return approve(w.session, request_id=w.extra["request"], actor=_actor(w, role), now=NOW,
                   role=role)  # fmt: skip


def do_reject_request(w, role):
    from legal_track.approvals import reject

    return reject(w.session, request_id=w.extra["request"], actor=_actor(w, role), now=NOW,
                  reason="no", role=role)  # fmt: skip


def prep_doc_case(w):
    w.extra["doc_case"] = _doc_case(w).id


def do_generate(w, role):
    from legal_track.documents.render import render_document

    return render_document(w.session, template_id="demand_letter", case_id=w.extra["doc_case"],
                           actor=_actor(w, role), now=NOW, settings=w.settings, role=role,
                           out=w.tmp / f"{role}.docx")  # fmt: skip


def do_batch(w, role):
    from legal_track.documents.batch import run_batch

    result = run_batch(w.session, template_id="demand_letter", case_ids=[w.extra["doc_case"]],
                       out=w.tmp / f"{role}.zip", actor=_actor(w, role), now=NOW,
                       settings=w.settings, workers=1, role=role)  # fmt: skip
    return result.ok == 1


def prep_document(w):
    from legal_track.documents.render import render_document

    prep_doc_case(w)
    w.extra["doc"] = render_document(w.session, template_id="demand_letter",
                                     case_id=w.extra["doc_case"], actor="t", now=NOW,
                                     settings=w.settings, out=w.tmp / "made.docx")  # fmt: skip


def do_download_document(w, role):
    from legal_track.documents.history import read_document

    return read_document(w.extra["doc"], role=role)


def do_record_letter(w, role):
    from legal_track.documents.letters import mark_sent, record_delivery

    doc = w.extra["doc"]
    mark_sent(w.session, document_id=doc.id, on=TODAY, actor=_actor(w, role), now=NOW,
              role=role)  # fmt: skip
    return record_delivery(w.session, case_id=doc.case_id, signed_on=TODAY, actor=_actor(w, role),
                           now=NOW, document_id=doc.id, role=role)  # fmt: skip


def _pdf(w: World, name: str, text: str) -> bytes:
    from tests.pdf import samples

    return samples.text_pdf(w.tmp / name, [text]).read_bytes()


def do_add_evidence(w, role):
    from legal_track.evidence.intake import IntakeTools
    from legal_track.evidence.register import intake

    return intake(w.session, data=_pdf(w, f"{role}.pdf", f"CONTRACT {role}"),
                  original_name="contract.pdf", category="loan_contract", source="s",
                  purpose="p", captured_at=None, actor=_actor(w, role), now=NOW,
                  case_ids=[w.case_id], settings=w.settings,
                  tools=IntakeTools(qpdf=None, soffice=None), role=role).item  # fmt: skip


def prep_evidence(w):
    from legal_track.evidence.intake import IntakeTools
    from legal_track.evidence.register import add_item

    w.extra["item"] = add_item(w.session, data=_pdf(w, "c.pdf", "CONTRACT"),
                               original_name="c.pdf", category="loan_contract", source="s",
                               purpose="p", captured_at=None, actor="t", now=NOW,
                               case_ids=[w.case_id], settings=w.settings,
                               tools=IntakeTools(qpdf=None, soffice=None)).id  # fmt: skip


def do_read_evidence(w, role):
    from legal_track.evidence.register import read_item

    return read_item(w.session, item_id=w.extra["item"], actor=_actor(w, role), now=NOW,
                     settings=w.settings, role=role, firm_id=w.firm(role))  # fmt: skip


def do_build_bundle(w, role):
    from legal_track.evidence.bundle import build_case_bundle, default_bundle_options

    options = default_bundle_options(w.session, case_id=w.case_id, on=TODAY)
    return build_case_bundle(w.session, case_id=w.case_id, out=w.tmp / f"{role}.pdf",
                             options=options, actor=_actor(w, role), now=NOW,
                             settings=w.settings, role=role).volumes  # fmt: skip


def do_claim_figures(w, role):
    from legal_track.claims.figures import claim_for_contract

    return claim_for_contract(w.session, contract_no=w.contract, cutoff=TODAY, role=role,
                              firm_id=w.firm(role))  # fmt: skip


def do_export_package(w, role):
    from legal_track.counsel.package import export_packages

    return export_packages(w.session, case_refs=[w.case_ref], out=w.tmp / f"{role}.zip",
                           actor=_actor(w, role), now=NOW, cutoff=TODAY, with_bundle=False,
                           role=role)  # fmt: skip


def do_import_updates(w, role):
    from legal_track.counsel.updates import import_updates

    data = (
        f"案件编号,事件,日期,详情\n{w.case_ref},demand_letter_sent,{TODAY.isoformat()},\n".encode()
    )
    return import_updates(w.session, data=data, filename="u.csv", actor=_actor(w, role),
                          now=NOW, today=TODAY, firm_id=w.firm(role), role=role).events  # fmt: skip


def do_manage_firms(w, role):
    return add_firm(w.session, name=f"丙律师事务所{role}", actor=_actor(w, role), now=NOW,
                    role=role)  # fmt: skip


def do_create_user(w, role):
    from legal_track.auth import create_user

    return create_user(w.session, username=f"new_by_{role}", password="long enough 1",
                       role=Role.staff, now=NOW, actor=_actor(w, role), actor_role=role)  # fmt: skip


def prep_target(w):
    _user(w.session, "target", "staff")
    w.session.commit()


def do_disable_user(w, role):
    from legal_track.auth import disable_user, enable_user

    disable_user(w.session, username="target", actor=_actor(w, role), now=NOW, role=role)
    return enable_user(w.session, username="target", actor=_actor(w, role), now=NOW, role=role)


def do_change_user_role(w, role):
    from legal_track.auth import change_role

    return change_role(w.session, username="target", new_role="lead", actor=_actor(w, role),
                       now=NOW, role=role)  # fmt: skip


def do_reset_password(w, role):
    from legal_track.auth import reset_password

    return reset_password(w.session, username="target", actor=_actor(w, role), now=NOW,
                          role=role)  # fmt: skip


def do_read_audit(w, role):
    from legal_track.audit.query import AuditFilters, search_entries

    return search_entries(w.session, filters=AuditFilters(), role=role).total


def do_export_audit(w, role):
    from legal_track.audit.query import export_entries

    return export_entries(w.session, path=w.tmp / f"{role}.csv", date_from=TODAY,
                          date_to=TODAY, actor=_actor(w, role), now=NOW, role=role).rows  # fmt: skip


def do_verify_audit(w, role):
    from legal_track.audit import verify_and_record

    return verify_and_record(w.session, actor=_actor(w, role), now=NOW, role=role).ok


def do_run_reminders(w, role):
    from legal_track.reminders.mail import OutboxMailer
    from legal_track.reminders.run import run_pass

    engine = w.session.get_bind()
    report = run_pass(lambda: Session(engine, expire_on_commit=False), now=NOW,
                      mailer=OutboxMailer(w.tmp / "outbox"), settings=w.settings, role=role)  # fmt: skip
    return report is not None


def do_reminder_settings(w, role):
    from legal_track.reminders.prefs import save_preference

    return save_preference(w.session, user_id=w.users[role].id, digest_enabled=False,
                           severities=["fatal"], muted_case_ids=[], actor=_actor(w, role),
                           now=NOW, role=role)  # fmt: skip


def do_load_holidays(w, role):
    from legal_track.deadlines.holidays import load_notice
    from tests.calendar.notices import NOTICE_2027_TOML

    return load_notice(w.session, raw=NOTICE_2027_TOML.encode(), file_name="2027.toml",
                       actor=_actor(w, role), now=NOW, role=role)  # fmt: skip


def do_manage_templates(w, role):
    from legal_track.documents.registry import activate_version, rollback, upload_template
    from tests.documents.test_registry import variant

    data, meta, sample = variant("demand_letter", "2", extra="（本函一式两份。）")
    upload_template(w.session, data=data, meta_text=meta, sample_text=sample,
                    actor=_actor(w, role), now=NOW, settings=w.settings, role=role)  # fmt: skip
    activate_version(w.session, template_id="demand_letter", version="2", actor=_actor(w, role),
                     now=NOW, settings=w.settings, role=role)  # fmt: skip
    return rollback(w.session, template_id="demand_letter", actor=_actor(w, role), now=NOW,
                    settings=w.settings, role=role)  # fmt: skip


def prep_third_party(w):
    w.extra["contact"] = make_contact(w.session, w.session.get(Loan, w.loan_id),
                                      target="13700009999").id  # fmt: skip
    w.session.commit()


def do_review_third_parties(w, role):
    from legal_track.privacy.consents import case_review

    return len(case_review(w.session, case_id=w.case_id, tz="Asia/Shanghai", role=role)) == 1


def do_record_consent(w, role):
    from legal_track.privacy.consents import record_consent

    return record_consent(w.session, loan_id=w.loan_id, target="13700009999", name="王某",
                          relation="relative", basis="consent", since=TODAY, until=None,
                          proof_ref="REC-1", actor=_actor(w, role), role=role, now=NOW)  # fmt: skip


def do_mark_contact(w, role):
    from legal_track.privacy.consents import mark_contact

    return mark_contact(w.session, contact_id=w.extra["contact"], include=True,
                        reason="失联修复，已复核录音", actor=_actor(w, role), role=role, now=NOW)  # fmt: skip


# action key: (prepare, do, the error a refused role gets)
ACTIONS = {
    "import_file": (None, do_import_file, RoleRefused),
    "open_case": (prep_loan, do_open_case, EscalationError),
    "change_owner": (None, _change(owner="u_lead"), EscalationError),
    "change_route": (None, _change(route="payment_order"), EscalationError),
    "change_forum": (
        None,
        _change(forum="上海市浦东新区人民法院", counsel_firm="丙律师事务所"),
        EscalationError,
    ),
    "add_event": (None, do_add_event, RoleRefused),
    "update_event": (prep_event, do_update_event, RoleRefused),
    "delete_event": (prep_event, do_delete_event, RoleRefused),
    "complete_deadline": (prep_deadline, do_complete_deadline, RoleRefused),
    "accept_escalation": (None, do_accept, EscalationError),
    "reject_escalation": (None, do_reject, EscalationError),
    "request_approval": (prep_approvals_on, do_request_approval, RoleRefused),
    "approve_request": (prep_request, do_approve, ApprovalError),
    "reject_request": (prep_request, do_reject_request, ApprovalError),
    "generate_document": (prep_doc_case, do_generate, RoleRefused),
    "generate_batch": (prep_doc_case, do_batch, RoleRefused),
    "download_document": (prep_document, do_download_document, RoleRefused),
    "record_letter": (prep_document, do_record_letter, RoleRefused),
    "add_evidence": (None, do_add_evidence, RoleRefused),
    "claim_figures": (None, do_claim_figures, LookupError),
    "read_evidence": (prep_evidence, do_read_evidence, RoleRefused),
    "build_bundle": (prep_evidence, do_build_bundle, RoleRefused),
    "export_package": (None, do_export_package, PackageError),
    "import_updates": (None, do_import_updates, RoleRefused),
    "manage_firms": (None, do_manage_firms, CounselError),
    "create_user": (None, do_create_user, AuthError),
    "disable_user": (prep_target, do_disable_user, AuthError),
    "change_user_role": (prep_target, do_change_user_role, AuthError),
    "reset_password": (prep_target, do_reset_password, AuthError),
    "read_audit": (None, do_read_audit, RoleRefused),
    "export_audit": (None, do_export_audit, RoleRefused),
    "verify_audit": (None, do_verify_audit, RoleRefused),
    "run_reminders": (None, do_run_reminders, RoleRefused),
    "reminder_settings": (None, do_reminder_settings, RoleRefused),
    "load_holidays": (None, do_load_holidays, RoleRefused),
    "manage_templates": (prep_doc_case, do_manage_templates, RoleRefused),
    "review_third_parties": (prep_third_party, do_review_third_parties, RoleRefused),
    "record_consent": (None, do_record_consent, RoleRefused),
    "mark_contact": (prep_third_party, do_mark_contact, RoleRefused),
}


def test_every_action_of_the_matrix_is_tried():
    assert list(ACTIONS) == list(m.ACTIONS)


@pytest.mark.parametrize("role", m.ROLES)
@pytest.mark.parametrize("action", list(m.ACTIONS))
def test_action(world, monkeypatch, action, role):
    prepare, do, refusal = ACTIONS[action]
    if prepare is not None:
        prepare(world)
    if world.extra.get("approvals"):
        monkeypatch.setenv("LEGAL_TRACK_APPROVAL_ACTIONS", '["filing"]')
        get_settings.cache_clear()
    before = _counts(world.session)
    if m.may(m.ACTIONS, action, role):
        assert do(world, role), f"{role} may {action}: it must work"
        return
    with pytest.raises(refusal) as refused:
        do(world, role)
    if refusal is not LookupError:  # counsel: another firm's loan is "not found" on purpose
        assert "may not" in str(refused.value), str(refused.value)
    world.session.rollback()
    assert _counts(world.session) == before, f"{role} refused {action}: nothing is written"


def test_nobody_approves_their_own_request(world):
    from legal_track.approvals import approve

    for role in ("admin", "lead"):
        with pytest.raises(ApprovalNeeded) as needed:
            from legal_track.approvals import gate

            gate(world.session, action="filing", case_id=world.case_id,
                 payload={"kind": "complaint_filed", "by": role}, actor=_actor(world, role),
                 now=NOW, required=["filing"])  # fmt: skip
        before = _counts(world.session)
        with pytest.raises(ApprovalError, match="own"):
            approve(world.session, request_id=needed.value.request_id, actor=_actor(world, role),
                    now=NOW, role=role)  # fmt: skip
        world.session.rollback()
        assert _counts(world.session) == before


def test_counsel_reach_only_their_firms_cases_in_the_actions(world):
    """The OWN cells: firm A's counsel on a case of firm B gets "not found"."""
    from legal_track.counsel.updates import UpdateError, import_updates
    from legal_track.evidence.intake import IntakeTools
    from legal_track.evidence.register import add_item, read_item

    other_loan = make_loan(world.session, contract_no="HT-W-B")
    other = make_case(world.session, ref="LT-2026-800002", loans=[other_loan])
    assign_case(world.session, case_id=other.id, firm_id=world.firm_b, on=date(2026, 11, 1),
                actor="t", now=NOW)  # fmt: skip
    item = add_item(world.session, data=_pdf(world, "b.pdf", "B"), original_name="b.pdf",
                    category="loan_contract", source="s", purpose="p", captured_at=None,
                    actor="t", now=NOW, case_ids=[other.id], settings=world.settings,
                    tools=IntakeTools(qpdf=None, soffice=None))  # fmt: skip
    before = _counts(world.session)
    kw = dict(role="counsel", firm_id=world.firm_a)
    with pytest.raises(LookupError, match="no evidence item"):
        read_item(world.session, item_id=item.id, actor="u_counsel", now=NOW,
                  settings=world.settings, **kw)  # fmt: skip
    data = (
        f"案件编号,事件,日期,详情\n{other.ref},demand_letter_sent,{TODAY.isoformat()},\n".encode()
    )
    with pytest.raises(UpdateError, match="not assigned to your firm"):
        import_updates(world.session, data=data, filename="u.csv", actor="u_counsel", now=NOW,
                       today=TODAY, **kw)  # fmt: skip
    from legal_track.claims.figures import claim_for_contract

    with pytest.raises(LookupError, match="no loan"):
        claim_for_contract(world.session, contract_no="HT-W-B", cutoff=TODAY, **kw)
    world.session.rollback()
    assert _counts(world.session) == before
    with pytest.raises(RoleRefused, match="not linked"):
        import_updates(world.session, data=data, filename="u.csv", actor="u_counsel", now=NOW,
                       today=TODAY, role="counsel", firm_id=None)  # fmt: skip


# --- personal data -----------------------------------------------------------------------


@pytest.mark.parametrize("role", m.ROLES)
def test_what_each_role_sees_of_the_borrower(world, role):
    from legal_track.cases.detail import case_detail
    from legal_track.models import Borrower, LoanParty
    from legal_track.privacy import mask_id_number, mask_phone

    s = world.session
    case = s.get(legal_track.models.Case, world.case_id)
    borrower = s.get(Borrower, case.borrower_id)
    borrower.phone = PHONE
    guarantor = make_borrower(s, name="李保证", phone="13700001111")
    s.add(LoanParty(loan_id=world.loan_id, borrower_id=guarantor.id, role="guarantor"))
    s.add(borrower)
    s.commit()
    kw = dict(case_id=world.case_id, role=role, actor=_actor(world, role), now=NOW, audit=False,
              firm_id=world.firm(role))  # fmt: skip
    for filing in (True, False):  # firm A's assignment includes filing, then not
        if not filing:
            assign_case(s, case_id=world.case_id, firm_id=world.firm_a, on=TODAY, actor="t",
                        now=NOW, includes_filing=False)  # fmt: skip
        detail = case_detail(s, **kw)
        levels = {k: m.allowed(m.PERSONAL_DATA, k, role) for k in ("id_number", "phone", "parties")}
        for key, value, full, masked in (
            ("id_number", detail.borrower.id_number, borrower.id_number,
             mask_id_number(borrower.id_number)),
            ("phone", detail.borrower.phone, PHONE, mask_phone(PHONE)),
        ):  # fmt: skip
            shown_full = levels[key] == m.FULL or (levels[key] == m.FILING and filing)
            assert value == (full if shown_full else masked), f"{role} {key} filing={filing}"
        [party] = [p for p in detail.parties if p.name == "李保证"]
        expect = "13700001111" if levels["parties"] == m.FULL else mask_phone("13700001111")
        assert party.phone == expect, f"{role}: guarantor's phone"


@pytest.mark.parametrize("filing", [True, False])
def test_a_counsel_package_carries_the_full_id_number_only_to_a_firm_that_files(world, filing):
    from legal_track.counsel.package import export_packages

    if not filing:
        assign_case(world.session, case_id=world.case_id, firm_id=world.firm_a, on=TODAY,
                    actor="t", now=NOW, includes_filing=False)  # fmt: skip
    assert m.allowed(m.PERSONAL_DATA, "package", "staff") == m.FILING
    out = world.tmp / "p.zip"
    export_packages(world.session, case_refs=[world.case_ref], out=out, actor="u_staff", now=NOW,
                    cutoff=TODAY, with_bundle=False, role="staff")  # fmt: skip
    with zipfile.ZipFile(out) as z:
        [name] = [n for n in z.namelist() if n.endswith("summary.json")]
        summary = json.loads(z.read(name))
    case = world.session.get(legal_track.models.Case, world.case_id)
    number = world.session.get(legal_track.models.Borrower, case.borrower_id).id_number
    shown = summary["borrower"]["id_number"]
    assert (shown == number) is filing, shown


def test_a_document_diff_hides_changed_values_from_roles_without_full_personal_data(world):
    from legal_track.documents.history import HIDDEN, diff_with_previous
    from legal_track.documents.render import render_document
    from legal_track.models import Borrower, Case

    case = _doc_case(world)
    made = dict(template_id="demand_letter", case_id=case.id, actor="t", now=NOW,
                settings=world.settings)  # fmt: skip
    render_document(world.session, out=world.tmp / "1.docx", **made)
    borrower = world.session.get(Borrower, world.session.get(Case, case.id).borrower_id)
    before = borrower.id_number
    borrower.id_number = before[:-4] + ("0000" if before[-4:] != "0000" else "1111")
    world.session.add(borrower)
    world.session.commit()
    second = render_document(world.session, out=world.tmp / "2.docx", **made)
    for role in m.ROLES:
        _, changes = diff_with_previous(world.session, document_id=second.id, role=role)
        numbers = [c for c in changes if c.path.endswith(".id_number")]
        assert numbers, "the borrower's ID number changed between the two documents"
        full = m.allowed(m.PERSONAL_DATA, "id_number", role) == m.FULL
        expected = (before, borrower.id_number) if full else (HIDDEN, HIDDEN)
        assert {(c.old, c.new) for c in numbers} == {expected}, role
        shown = " ".join(f"{c.old} {c.new}" for c in changes)
        assert full or (before not in shown and borrower.id_number not in shown), role
