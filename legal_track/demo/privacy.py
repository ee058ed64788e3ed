"""Third parties in the demo's contact logs, so that a newcomer sees each outcome of the
privacy review (legal_track.privacy.consents) on a named case:

- case 2: a call to the borrower's sister, covered by her recorded consent (listed in the
  bundle, number masked);
- case 3: an SMS to the borrower's employer with no record: flagged on the case and left
  out of the bundle;
- case 4: a call to an emergency contact with no record that the lead marked into the
  bundles with a reason, and a second one marked out.

Written through the services (records and marks are audited like any other), after the
portfolio; the contact rows themselves are rows, like the rest of the demo's contacts.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlmodel import Session

from legal_track.models import Case, CaseLoan, ContactLog
from legal_track.privacy.consents import mark_contact, record_consent

# case id -> what the newcomer sees there
THIRD_PARTY_CASES = {2: "covered", 3: "flagged", 4: "marked"}
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _phone(case_id: int, k: int) -> str:
    return f"147{case_id:04d}{k:04d}"  # a prefix the demo's borrowers never have


def _first_contact(session: Session, loan_id: int, as_of: date) -> date:
    first = session.execute(
        select(ContactLog.at).where(ContactLog.loan_id == loan_id).order_by(ContactLog.at)
    ).scalar()
    day = first.astimezone(SHANGHAI).date() if first else as_of - timedelta(days=60)
    return min(day + timedelta(days=3), as_of)


def _contact(session: Session, loan_id: int, day: date, hour: int, channel: str, target: str,
             content: str, proof: str | None) -> int:  # fmt: skip
    at = datetime.combine(day, time(hour, 30), SHANGHAI)
    return session.execute(
        insert(ContactLog).returning(ContactLog.id),
        [{"loan_id": loan_id, "at": at, "channel": channel, "direction": "outbound",
          "target": target, "content": content, "delivery_status": "delivered",
          "agent": "催收员乙", "proof_ref": proof}],
    ).scalar_one()  # fmt: skip


def add_demo_third_parties(session: Session, *, as_of: date, now: datetime) -> int:
    """Write the demo's third-party contacts, the record and the marks; how many cases."""
    made = 0
    for case_id, outcome in THIRD_PARTY_CASES.items():
        case = session.get(Case, case_id)
        if case is None or case.closed_on is not None:
            continue
        loan_id = session.execute(
            select(CaseLoan.loan_id).where(CaseLoan.case_id == case_id).order_by(CaseLoan.id)
        ).scalar_one()
        day = _first_contact(session, loan_id, as_of)
        if outcome == "covered":
            sister = _phone(case_id, 1)
            _contact(session, loan_id, day, 10, "call", sister,
                     "联系借款人之姐，请其转告借款人与我司联系", f"REC-TP-{case_id}-1")  # fmt: skip
            session.commit()
            record_consent(
                session, loan_id=loan_id, target=sister, name="演示亲属", relation="relative",
                basis="consent", since=day - timedelta(days=30), until=None,
                proof_ref=f"授权书 DEMO-CONSENT-{case_id}", actor="demo_staff1", role="staff",
                now=now,
            )  # fmt: skip
        elif outcome == "flagged":
            _contact(session, loan_id, day, 14, "sms", _phone(case_id, 1),
                     "请贵单位转告员工尽快归还逾期借款", None)  # fmt: skip
            session.commit()
        else:
            kept = _contact(session, loan_id, day, 11, "call", _phone(case_id, 1),
                            "联系紧急联系人，对方告知借款人新的联系电话", f"REC-TP-{case_id}-1")  # fmt: skip
            left = _contact(session, loan_id, day + timedelta(days=2), 16, "call",
                            _phone(case_id, 2), "联系借款人朋友，对方表示不认识借款人",
                            f"REC-TP-{case_id}-2")  # fmt: skip
            session.commit()
            mark_contact(session, contact_id=kept, include=True, actor="demo_lead", role="lead",
                         reason="失联修复：仅询问借款人联系方式，未透露债务信息（录音已复核）",
                         now=now)  # fmt: skip
            mark_contact(session, contact_id=left, include=False, actor="demo_lead", role="lead",
                         reason="对方不认识借款人，与案件无关，不作为证据", now=now)  # fmt: skip
        made += 1
    return made
