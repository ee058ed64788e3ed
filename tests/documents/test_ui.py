"""The documents tab, the batch page and the templates page through AppTest."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from legal_track.config import get_settings
from legal_track.db import make_engine, migrate
from legal_track.models import CaseEvent, DocumentTemplate, GeneratedDocument, Role
from legal_track.ui.context import USER_KEY, UserInfo
from tests.documents.conftest import full_case
from tests.documents.test_registry import variant
from tests.factories import make_user

APP = Path(__file__).resolve().parents[2] / "app.py"
TIMEOUT = 60


@pytest.fixture
def db(env) -> Iterator[Session]:
    engine = make_engine(get_settings().database_url)
    migrate(engine)
    with Session(engine, expire_on_commit=False) as s:
        yield s
    engine.dispose()
    st.cache_resource.clear()
    st.cache_data.clear()


def app_as(db, role: Role) -> AppTest:
    user = make_user(db, role=role)
    db.commit()
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.session_state[USER_KEY] = UserInfo.of(user)
    at.run()
    return at


def open_tab(db, role: Role, case) -> AppTest:
    at = app_as(db, role)
    at.switch_page("legal_track/ui/pages/case.py")
    at.query_params["ref"] = case.ref
    at.run()
    at.session_state["case.tabs"] = "文书"
    at.run()
    assert not at.exception, at.exception
    return at


def texts(elements) -> list[str]:
    return [e.value for e in elements]


def test_generate_list_and_send_a_demand_letter(db, env):
    case = full_case(db)
    at = open_tab(db, Role.staff, case)
    assert "预检通过，可以生成。" in texts(at.success)
    at.selectbox(key="documents.template").set_value("demand_letter").run()
    at = at.button(key="documents.submit").click().run()
    assert not at.exception and not at.error, texts(at.error)
    assert any(s.startswith("已生成文书 #") for s in texts(at.success))
    db.expire_all()
    doc = db.exec(select(GeneratedDocument)).one()
    assert doc.template_id == "demand_letter" and doc.actor.startswith("user")
    rows = at.dataframe[0].value.to_dict("records")
    assert rows[0]["SHA-256"] == doc.sha256 and rows[0]["上下文哈希"] == doc.context_sha256
    assert "这是本案第一份该类文书。" in texts(at.caption)
    at = at.button(key="FormSubmitter:documents.sent_form-登记寄送").click().run()
    assert not at.exception and any("已登记寄送" in s for s in texts(at.success)), texts(at.error)
    db.expire_all()
    assert [e.kind for e in db.exec(select(CaseEvent).where(CaseEvent.case_id == case.id))] == [
        "demand_letter_sent"
    ]


def test_a_blocked_case_shows_why_and_cannot_generate(db, env):
    case = full_case(db, counsel_firm=None)
    at = open_tab(db, Role.staff, case)
    at.selectbox(key="documents.template").set_value("demand_letter").run()
    blocked = " ".join(texts(at.error))
    assert "预检未通过" in blocked and "needs field counsel.firm" in blocked
    assert at.button(key="documents.submit").disabled


def test_viewers_only_see_the_list(db, env):
    case = full_case(db)
    at = open_tab(db, Role.viewer, case)
    assert "您的角色只能查看文书清单。" in texts(at.caption)
    assert not [b for b in at.button if b.key == "documents.submit"]


def test_batch_page_preflights_then_generates_one_zip(db, env):
    good, bad = full_case(db), full_case(db, borrower={"address": ""})
    at = app_as(db, Role.staff)
    at.switch_page("legal_track/ui/pages/documents_batch.py").run()
    assert not at.exception, at.exception
    at.selectbox(key="documents_batch.template").set_value("demand_letter")
    at.text_area(key="documents_batch.refs").input(f"{good.ref}\n{bad.ref}")
    at = at.button(key="FormSubmitter:documents_batch.form-选择并预检").click().run()
    assert not at.exception, at.exception
    assert any("已选 2 件：1 件可生成，1 件预检未通过" in m for m in texts(at.markdown))
    at = at.button(key="documents_batch.generate").click().run()
    assert not at.exception and not at.error, texts(at.error)
    assert "完成：1 件已生成，1 件失败。" in texts(at.success)
    zips = list((get_settings().output_dir / "batches").glob("demand_letter-*.zip"))
    assert len(zips) == 1
    with zipfile.ZipFile(zips[0]) as zf:
        assert (
            f"{good.ref}/{good.ref}_demand_letter.docx" in zf.namelist()
            and "report.csv" in zf.namelist()
        )


def test_templates_page_upload_and_activate(db, env):
    at = app_as(db, Role.lead)
    at.switch_page("legal_track/ui/pages/templates.py").run()
    assert not at.exception, at.exception
    assert len(at.dataframe[0].value) == 8
    data, meta, sample = variant("evidence_list", "2", extra="（续）")
    at.file_uploader(key="templates.docx").upload("evidence_list.docx", data)
    at.file_uploader(key="templates.meta").upload("evidence_list.toml", meta.encode())
    at.file_uploader(key="templates.sample").upload("evidence_list.sample.json", sample.encode())
    at.checkbox(key="templates.activate_upload").check()
    at = at.button(key="templates.upload").click().run()
    assert not at.exception and "已登记 evidence_list@2。" in texts(at.success), texts(at.error)
    db.expire_all()
    active = db.exec(select(DocumentTemplate).where(DocumentTemplate.template_id == "evidence_list",
                                                    DocumentTemplate.active)).one()  # fmt: skip
    assert active.version == "2"


def test_templates_page_refuses_a_broken_upload_naming_the_tag(db, env):
    at = app_as(db, Role.admin)
    at.switch_page("legal_track/ui/pages/templates.py").run()
    data, meta, sample = variant("demand_letter", "3", extra="{% if claim.total.value %}未闭合")
    at.file_uploader(key="templates.docx").upload("x.docx", data)
    at.file_uploader(key="templates.meta").upload("x.toml", meta.encode())
    at.file_uploader(key="templates.sample").upload("x.sample.json", sample.encode())
    at = at.button(key="templates.upload").click().run()
    error = " ".join(texts(at.error))
    assert "未登记" in error and "syntax error in tag {% if claim.total.value %}" in error


def test_staff_see_templates_but_cannot_manage_them(db, env):
    at = app_as(db, Role.staff)
    at.switch_page("legal_track/ui/pages/templates.py").run()
    assert "只有管理员和组长可以上传、启用或回退模板。" in texts(at.caption)
    assert not at.file_uploader
