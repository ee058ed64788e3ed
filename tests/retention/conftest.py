"""A closed case with every kind of personal data the tracker keeps, on SQLite and
PostgreSQL (own schema, migrated), plus the settings the purge uses."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import Session

import legal_track.models  # noqa: F401  (registers every table)
from legal_track.config import Settings
from legal_track.db import make_engine, migrate
from legal_track.evidence.intake import IntakeTools
from legal_track.evidence.register import add_item
from legal_track.models import (
    Borrower,
    Case,
    CaseEvent,
    ContactLog,
    ContactMark,
    EvidenceItem,
    GeneratedDocument,
    Loan,
    LoanParty,
    ThirdPartyConsent,
)
from tests.components import pg_url
from tests.evidence import samples
from tests.factories import make_borrower, make_case, make_contact, make_ledger, make_loan

SCHEMA = "retention_test"
TODAY = date(2026, 12, 3)
NOW = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
CLOSED_LONG_AGO = date(2021, 6, 30)  # due 2026-06-30 with the default 5 years


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(_env_file=None, database_url="sqlite://", evidence_dir=tmp_path / "store",
                    output_dir=tmp_path / "output")  # fmt: skip


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'retention.db'}"
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    return url


@pytest.fixture
def pg_schema_url() -> Iterator[str]:
    url = pg_url()
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}"))
    sep = "&" if "?" in url else "?"
    scoped = f"{url}{sep}options=-csearch_path%3D{SCHEMA}"
    engine = make_engine(scoped)
    migrate(engine)
    engine.dispose()
    yield scoped
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {SCHEMA} CASCADE"))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def db(request) -> Iterator[Session]:
    """A session on a migrated SQLite file, then on PostgreSQL."""
    name = "sqlite_url" if request.param == "sqlite" else "pg_schema_url"
    engine = make_engine(request.getfixturevalue(name))
    with Session(engine, expire_on_commit=False) as s:
        yield s
    engine.dispose()


@dataclass
class Seeded:
    case: Case
    borrower: Borrower
    guarantor: Borrower
    loan: Loan
    secrets: list[str]  # every identifier of the two people
    item: EvidenceItem
    document: GeneratedDocument
    document_path: Path


def seed_case(s: Session, settings: Settings, *, closed_on: date | None = CLOSED_LONG_AGO,
              loan_status: str = "settled") -> Seeded:  # fmt: skip
    """A case closed on `closed_on` whose borrower and guarantor appear in every place the
    tracker keeps personal data: their rows, the contact log, event notes, an ID-card scan
    in the evidence store and a generated document."""
    borrower = make_borrower(s, name="欧阳明辉", phone="13912345678", email="oyang@example.com",
                             address="北京市东城区示例路9号")  # fmt: skip
    guarantor = make_borrower(s, name="司马青", phone="13787654321", email="sima@example.com")
    loan = make_loan(s, borrower_id=borrower.id, status=loan_status)
    s.add(LoanParty(loan_id=loan.id, borrower_id=guarantor.id, role="guarantor"))
    make_ledger(s, loan)
    make_contact(s, loan, target=borrower.phone, content=f"{borrower.name}您好，请还款。")
    make_contact(s, loan, target=guarantor.email, channel="email",
                 at=datetime(2021, 3, 1, 2, 0, tzinfo=UTC), content="担保人请注意",
                 proof_ref="录音-欧阳明辉.mp3")  # fmt: skip
    relative = make_contact(s, loan, target="13600001111", channel="call",
                            at=datetime(2021, 4, 1, 2, 0, tzinfo=UTC), content="联系借款人亲属")  # fmt: skip
    s.add(ThirdPartyConsent(loan_id=loan.id, target="13600001111", name="上官婉",
                            relation="relative", basis="consent", since=date(2021, 1, 1),
                            proof_ref="授权书-上官婉", recorded_by="li", recorded_at=NOW))  # fmt: skip
    s.add(ContactMark(contact_id=relative.id, include=True, marked_by="li", marked_at=NOW,
                      reason=f"{borrower.name}的姐姐上官婉，已复核"))  # fmt: skip
    case = make_case(s, loans=[loan], stage="closed" if closed_on else "lit_filed",
                     closed_on=closed_on, close_reason="paid" if closed_on else None,
                     claim_total="12000.00", opened_on=date(2020, 3, 1))  # fmt: skip
    s.add(CaseEvent(case_id=case.id, kind="complaint_served", on=date(2020, 5, 1),
                    party=borrower.name, actor="li", created_at=NOW,
                    note=f"已送达{borrower.name}，电话{borrower.phone}", data={}))  # fmt: skip
    s.add(CaseEvent(case_id=case.id, kind="payment_received", on=date(2021, 6, 1), actor="li",
                    created_at=NOW, data={"amount": "12000.00"}))  # fmt: skip
    s.commit()
    item = add_item(s, data=samples.image_bytes("PNG", (60, 40)), original_name="欧阳明辉身份证.png",
                    category="id_document", source="借款人提供", purpose=f"证明{borrower.name}身份",
                    captured_at=None, actor="li", now=NOW, case_ids=[case.id], settings=settings,
                    tools=IntakeTools(qpdf=None, soffice=None))  # fmt: skip
    out = Path(settings.output_dir) / f"{case.ref}-complaint.docx"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(f"起诉状 被告{borrower.name} {borrower.id_number}".encode())
    doc = GeneratedDocument(case_id=case.id, template_id="complaint", template_version="1",
                            template_sha256="0" * 64, context_sha256="1" * 64,
                            context={"borrower": {"name": borrower.name,
                                                  "id_number": borrower.id_number}},
                            cutoff=date(2020, 3, 1), sha256="2" * 64, path=str(out), actor="li",
                            created_at=NOW)  # fmt: skip
    s.add(doc)
    s.commit()
    secrets = [borrower.name, borrower.id_number, borrower.phone, borrower.email,
               borrower.address, guarantor.name, guarantor.id_number, guarantor.phone,
               guarantor.email, "上官婉", "13600001111"]  # fmt: skip
    return Seeded(case, borrower, guarantor, loan, secrets, item, doc, out)


__all__ = ["ContactLog", "seed_case"]
