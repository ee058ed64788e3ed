"""Single and batch generation on PostgreSQL (JSON contexts, core inserts, fen columns)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from legal_track.db import make_engine, migrate
from legal_track.documents.batch import run_batch
from legal_track.documents.history import diff_with_previous, read_document
from legal_track.documents.render import render_document
from legal_track.models import GeneratedDocument
from tests.components import pg_url
from tests.documents.conftest import full_case


@pytest.mark.pg
def test_documents_on_postgresql(now, settings, tmp_path):
    engine = make_engine(pg_url())
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    migrate(engine)
    with Session(engine, expire_on_commit=False) as s:
        cases = [full_case(s), full_case(s, borrower={"address": ""})]
        doc = render_document(s, template_id="civil_complaint", case_id=cases[0].id, actor="a", now=now,
                              out=tmp_path / "c.docx", settings=settings)  # fmt: skip
        again = render_document(s, template_id="civil_complaint", case_id=cases[0].id, actor="a", now=now,
                                out=tmp_path / "d.docx", settings=settings)  # fmt: skip
        assert diff_with_previous(s, document_id=again.id) == (doc, [])
        result = run_batch(s, template_id="demand_letter", case_ids=[c.id for c in cases], out=tmp_path / "b.zip",
                           actor="a", now=now, settings=settings)  # fmt: skip
        assert (result.ok, result.failed) == (1, 1)
        s.expire_all()
        batch_doc = s.exec(
            select(GeneratedDocument).where(GeneratedDocument.batch_id == result.batch_id)
        ).one()
        assert batch_doc.file_id is not None and batch_doc.context["case"]["ref"] == cases[0].ref
        assert read_document(batch_doc)
    engine.dispose()
