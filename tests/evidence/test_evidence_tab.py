"""The evidence tab of the case page through AppTest (upload, list, checklist, bundle)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from legal_track.config import get_settings
from legal_track.db import make_engine, migrate
from legal_track.models import CustodyEntry, EvidenceItem, GeneratedFile, Role
from legal_track.ui.context import USER_KEY, UserInfo
from tests.components import require_binary
from tests.evidence import samples
from tests.factories import make_case, make_loan, make_user

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


def open_tab(db, role: Role, *, case=None) -> tuple[AppTest, object]:
    user = make_user(db, role=role)
    case = case or make_case(db, loans=[make_loan(db)])
    db.commit()
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.session_state[USER_KEY] = UserInfo.of(user)
    at.run()
    at.switch_page("legal_track/ui/pages/case.py")
    at.query_params["ref"] = case.ref
    at.run()
    at.session_state["case.tabs"] = "证据"
    at.run()
    assert not at.exception, at.exception
    return at, case


def texts(elements) -> list[str]:
    return [e.value for e in elements]


def upload(at, *files: tuple[str, bytes], category="loan_contract", purpose="证明借贷关系"):
    uploader = at.file_uploader(key="evidence.files")
    for name, data in files:
        uploader.upload(name, data)
    at.selectbox(key="evidence.category").set_value(category)
    at.text_input(key="evidence.purpose").input(purpose)
    return at.button(key="evidence.submit").click().run()


def test_upload_registers_good_files_and_refuses_bad_ones_with_the_reason(db, env):
    at, case = open_tab(db, Role.staff)
    at = upload(at, ("合同.pdf", samples.pdf_bytes(2)), ("tool.pdf", samples.exe_bytes()),
                ("empty.pdf", b""))  # fmt: skip
    assert not at.exception
    assert any("合同.pdf：已登记" in m for m in texts(at.success))
    errors = texts(at.error)
    assert any("tool.pdf：未登记" in e and "不支持的文件类型" in e for e in errors)
    assert any("empty.pdf：未登记" in e and "文件为空" in e for e in errors)
    db.expire_all()
    item = db.exec(select(EvidenceItem)).one()
    rows = at.dataframe[0].value.to_dict("records")
    assert rows[0]["SHA-256"] == item.sha256 and rows[0]["文件名"] == "合同.pdf"
    assert rows[0]["页数"] == 2
    checklist = " ".join(texts(at.markdown))
    assert "✅ 借款合同 · " in checklist and "（证据 #1）" in checklist
    assert "❌ 放款凭证 · " in checklist and "❌ 借款人身份证明：缺少" in checklist
    assert any("尚缺" in w for w in texts(at.warning))


def test_a_docx_without_libreoffice_is_explained(db, env, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")  # no soffice, no qpdf, no pdftoppm
    at, _ = open_tab(db, Role.staff)
    at = upload(at, ("律师函.docx", samples.docx_bytes()), category="demand_letter")
    assert any("仅作为附件保存" in w and "LibreOffice" in w for w in texts(at.warning))


def test_viewers_see_the_list_and_checklist_but_cannot_upload_or_preview(db, env):
    at, case = open_tab(db, Role.viewer)
    assert not at.file_uploader and "您的角色只能查看证据。" in texts(at.caption)
    assert not [b for b in at.button if b.key == "evidence.build"]


def test_preview_and_opening_an_item_are_logged_once_per_session(db, env):
    at, case = open_tab(db, Role.staff)
    at = upload(at, ("身份证.png", samples.image_bytes("PNG", (200, 120))), category="id_document")
    at.toggle(key="evidence.previews").set_value(True).run()
    assert len(at.get("image")) >= 1, "a first-page preview is shown"
    at.selectbox(key="evidence.open").select_index(0).run()
    at.run()
    assert not at.exception
    db.expire_all()
    actions = [e.action for e in db.exec(select(CustodyEntry).order_by(CustodyEntry.id)).all()]
    assert actions == ["added", "viewed"], "one `viewed` entry however often the page reruns"


def test_bundle_builder_orders_builds_and_offers_the_download(db, env):
    at, case = open_tab(db, Role.staff)
    at = upload(at, ("合同.pdf", samples.pdf_bytes(1, "contract")))
    at = upload(at, ("身份证.png", samples.image_bytes("PNG", (300, 200))), category="id_document")
    db.expire_all()
    contract, id_card = db.exec(select(EvidenceItem).order_by(EvidenceItem.id)).all()
    keys = {ni.key for ni in at.number_input if ni.key.startswith("evidence.ord.")}
    assert {f"evidence.ord.item:{contract.id}", f"evidence.ord.item:{id_card.id}"} <= keys
    at.number_input(key=f"evidence.ord.item:{contract.id}").set_value(9)
    for key in keys - {f"evidence.ord.item:{contract.id}", f"evidence.ord.item:{id_card.id}"}:
        at.checkbox(key=key.replace(".ord.", ".inc.")).uncheck()  # leave out the data exhibits
    at = at.button(key="evidence.build").click().run()
    assert not at.exception and not at.error, texts(at.error)
    assert any("已生成证据材料" in s for s in texts(at.success))
    listing = " ".join(texts(at.markdown))
    assert listing.index("证据1 · 身份证") < listing.index("证据2 · 合同"), "the chosen order"
    assert [b for b in at.get("download_button") if b.proto.label.startswith("下载 ")]
    db.expire_all()
    bundle = db.exec(select(GeneratedFile).where(GeneratedFile.kind == "bundle")).one()
    assert Path(bundle.path).is_file() and bundle.case_id == case.id


def _build_contract_only(at, db):
    db.expire_all()
    contract = db.exec(select(EvidenceItem)).one()
    for cb in at.checkbox:
        if cb.key.startswith("evidence.inc.") and cb.key != f"evidence.inc.item:{contract.id}":
            cb.uncheck()
    return at


@pytest.mark.parametrize("embed", [False, True], ids=["as-is", "embed-fonts"])
def test_unembedded_exhibit_fonts_are_shown_and_can_be_embedded(db, env, embed):
    require_binary("pdffonts", "poppler-utils")
    at, _ = open_tab(db, Role.staff)
    at = _build_contract_only(upload(at, ("合同.pdf", samples.pdf_bytes(1, "contract"))), db)
    if embed:
        at.checkbox(key="evidence.embed_fonts").check()
    at = at.button(key="evidence.build").click().run()
    assert not at.exception and not at.error, texts(at.error)
    shown = " ".join(texts(at.markdown))
    assert "证据1：未嵌入 Helvetica" in shown
    db.expire_all()
    bundle = Path(db.exec(select(GeneratedFile).where(GeneratedFile.kind == "bundle")).one().path)
    fonts = subprocess.run(["pdffonts", str(bundle)], capture_output=True, text=True, check=True)
    embedded = [line.split()[-5] for line in fonts.stdout.splitlines()[2:]]
    if embed:
        assert "已嵌入替代字体：Helvetica" in shown
        assert not any("原件未嵌入字体" in s for s in texts(at.warning)), texts(at.warning)
        assert any("原件未嵌入字体" in s for s in texts(at.info))
        assert embedded and set(embedded) == {"yes"}, fonts.stdout
    else:
        assert any("原件未嵌入字体" in s for s in texts(at.warning))
        assert any("嵌入替代字体" in s for s in texts(at.caption)), "offers the option"
        assert "no" in embedded, fonts.stdout
