from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

from legal_track.db import make_engine, migrate
from legal_track.models import Case, Loan
from tests.components import pg_url
from tests.factories import make_case, make_contact, make_ledger, make_loan


def test_money_round_trips_as_decimal_and_is_stored_as_fen(session):
    loan = make_loan(session, principal=Decimal("12345.67"))
    session.commit()
    raw = session.exec(text("SELECT principal FROM loan WHERE id = :i").bindparams(i=loan.id)).one()
    assert raw[0] == 1234567, "money is stored as integer fen"
    session.expire_all()
    again = session.get(Loan, loan.id)
    assert again.principal == Decimal("12345.67") and isinstance(again.principal, Decimal)


def test_money_with_three_decimals_is_refused(session):
    with pytest.raises(Exception, match="more than two decimal places"):
        make_loan(session, principal=Decimal("1.001"))


def test_rates_are_exact(session):
    loan = make_loan(session, annual_rate=Decimal("0.1825"))
    session.commit()
    session.expire_all()
    assert session.get(Loan, loan.id).annual_rate == Decimal("0.1825")


def test_timestamps_come_back_aware_utc(session):
    loan = make_loan(session)
    shanghai = timezone(timedelta(hours=8))
    c = make_contact(session, loan, at=datetime(2026, 1, 5, 9, 0, tzinfo=shanghai))
    session.commit()
    session.expire_all()
    from legal_track.models import ContactLog

    got = session.get(ContactLog, c.id).at
    assert got == datetime(2026, 1, 5, 1, 0, tzinfo=UTC) and got.tzinfo is not None


def test_naive_timestamps_are_refused(session):
    loan = make_loan(session)
    with pytest.raises(Exception, match="timezone-aware"):
        make_contact(session, loan, at=datetime(2026, 1, 5, 9, 0))


def test_ledger_reference_is_unique_per_loan(session):
    loan = make_loan(session)
    make_ledger(session, loan, reference="R1")
    with pytest.raises(IntegrityError):
        make_ledger(session, loan, reference="R1")


def test_case_covers_several_loans_of_one_borrower(session):
    first = make_loan(session)
    second = make_loan(session, borrower_id=first.borrower_id, creditor_id=first.creditor_id)
    case = make_case(session, loans=[first, second])
    session.commit()
    from legal_track.models import CaseLoan

    links = session.exec(select(CaseLoan).where(CaseLoan.case_id == case.id)).all()
    assert {link.loan_id for link in links} == {first.id, second.id}


def _schema(engine) -> dict[str, set[str]]:
    insp = inspect(engine)
    return {
        t: {c["name"] for c in insp.get_columns(t)}
        for t in insp.get_table_names()
        if t != "alembic_version"
    }


def test_migrations_build_the_same_schema_as_the_models(tmp_path):
    migrated = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    migrate(migrated)
    migrate(migrated)  # idempotent
    created = make_engine("sqlite://")
    SQLModel.metadata.create_all(created)
    assert _schema(migrated) == _schema(created)


def test_migrations_leave_nothing_for_autogenerate(tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    eng = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    migrate(eng)
    with eng.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == [], f"models changed without a migration: {diff}"


@pytest.mark.pg
def test_models_and_migrations_on_postgresql():
    url = pg_url()
    eng = make_engine(url)
    with eng.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    migrate(eng)
    with Session(eng) as s:
        loan = make_loan(s, principal=Decimal("99999999.99"))
        make_contact(s, loan)
        case = make_case(s, loans=[loan], opened_on=date(2026, 2, 1))
        s.commit()
        s.expire_all()
        assert s.get(Loan, loan.id).principal == Decimal("99999999.99")
        assert s.get(Case, case.id).created_at.tzinfo is not None
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with eng.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), SQLModel.metadata) == []
    eng.dispose()


def test_migrations_upgrade_a_populated_database(tmp_path):
    """A team's database from before the audit chain, counsel and dashboard tables (rows
    written with that version's columns): the upgrade keeps every row, chains the audit
    trail and fills the stage stays and recoveries from the events and the ledger."""
    from alembic import command
    from sqlalchemy import MetaData, func, insert, select
    from sqlmodel import Session

    from legal_track.audit.verify import verify_chain
    from legal_track.db import alembic_config, make_engine
    from legal_track.models import AuditEntry, CaseRecovery, StageVisit, User

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    command.upgrade(alembic_config(engine), "esc01")
    meta = MetaData()
    meta.reflect(engine)
    t = meta.tables
    from datetime import UTC, date, datetime

    at = datetime(2026, 11, 29, 1, 0, tzinfo=UTC).replace(tzinfo=None)
    with engine.begin() as conn:
        conn.execute(insert(t["user"]), [{"username": "li", "display_name": "李", "email": None,
                     "role": "lead", "language": "zh", "password_hash": "-", "active": True,
                     "lead_id": None, "created_at": at}])  # fmt: skip
        conn.execute(insert(t["creditor"]), [{"name": "甲公司", "lender_type": "licensed"}])
        conn.execute(insert(t["borrower"]), [{"name": "王", "id_number": "110101199003077777",
                     "is_demo": False}])  # fmt: skip
        conn.execute(insert(t["loan"]), [{"contract_no": "HT1", "creditor_id": 1, "borrower_id": 1,
                     "principal": 1_000_000, "annual_rate": 180_000, "disbursed_on": date(2025, 1, 1),
                     "maturity_on": date(2026, 1, 1), "schedule": "[]", "outstanding_principal": 800_000,
                     "status": "legal"}])  # fmt: skip
        conn.execute(insert(t["case"]), [{"ref": "LT-2026-000001", "borrower_id": 1,
                     "route": "litigation", "stage": "lit_filed", "owner_id": 1,
                     "claim_total": "8000.00", "claim_snapshot": "{}", "opened_on": date(2026, 3, 1),
                     "created_at": at}])  # fmt: skip
        conn.execute(insert(t["caseloan"]), [{"case_id": 1, "loan_id": 1}])
        conn.execute(insert(t["caseevent"]), [
            {"case_id": 1, "kind": "demand_letter_sent", "on": date(2026, 3, 1), "actor": "li",
             "note": "", "data": "{}", "created_at": at},
            {"case_id": 1, "kind": "complaint_filed", "on": date(2026, 3, 11), "actor": "li",
             "note": "", "data": "{}", "created_at": at},
        ])  # fmt: skip
        conn.execute(insert(t["ledgerentry"]), [{"loan_id": 1, "kind": "repayment",
                     "amount": 50_000, "booked_on": date(2026, 4, 2), "reference": "R1"}])  # fmt: skip
        conn.execute(insert(t["auditentry"]), [
            {"at": at, "actor": "li", "action": f"test.{n}", "object_type": "", "object_id": "",
             "detail": "{}"} for n in range(3)])  # fmt: skip
    command.upgrade(alembic_config(engine), "heads")
    with Session(engine) as s:
        assert s.exec(select(User)).scalars().one().must_change_password is False
        assert s.execute(select(func.count()).select_from(AuditEntry)).scalar() == 3
        assert verify_chain(s).ok, "the old entries are chained in id order"
        stays = s.exec(select(StageVisit).order_by(StageVisit.entered_on)).scalars().all()
        assert [(v.stage, v.days) for v in stays] == [("demand_letter", 10), ("lit_filed", None)]
        assert s.exec(select(CaseRecovery)).scalars().one().fen == 50_000
    engine.dispose()
