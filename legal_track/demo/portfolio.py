"""A deterministic, fictional demo portfolio: creditors, borrowers, loans, ledgers,
contact logs, a small legal team and cases spread over every route and stage.

The same ``seed`` and ``as_of`` always give the same rows. Every borrower is
fictional (valid GB 11643 checksum, ``is_demo`` set, address marked 演示数据).
Rows go in with SQLAlchemy core inserts in batches so that the 100,000-case
scale portfolio for the benchmarks builds in reasonable time.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from legal_track.analytics.costs import rebuild_costs
from legal_track.analytics.recoveries import rebuild_recovery
from legal_track.audit import AuditEvent, record
from legal_track.auth import hash_password
from legal_track.cases.lifecycle import Route, Stage
from legal_track.cases.visits import rebuild_visits
from legal_track.claims.fees import enforcement_fee
from legal_track.db import advance_sequences
from legal_track.deadlines.periods import add_months
from legal_track.demo.archive import add_archived_case
from legal_track.demo.privacy import add_demo_third_parties
from legal_track.demo.script import CHAINS, Cost, case_events
from legal_track.demo.settlements import HISTORY_SHIFT, SETTLED_CASES, add_demo_settlements
from legal_track.escalation.proposals import expected_cost
from legal_track.escalation.rules import rules_on
from legal_track.identity import make_id_number
from legal_track.models import (
    Borrower,
    Case,
    CaseAssignment,
    CaseEvent,
    CaseLoan,
    ContactLog,
    CounselAccount,
    Creditor,
    LawFirm,
    LedgerEntry,
    Loan,
    LoanParty,
    RepaymentPlan,
    Role,
    User,
)
from legal_track.money import quantize

Progress = Callable[[int, int], None] | None

DEMO_PASSWORD = "legal-track-demo"  # documented in the README; demo accounts only
SHANGHAI = __import__("zoneinfo").ZoneInfo("Asia/Shanghai")

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英建华文辉玉兰红梅志强海燕晓东国庆春花雪梅子豪宇轩梓涵浩然欣怡思远一鸣佳琪俊杰"
REGIONS = [  # (code, city district, court of first instance)
    ("110101", "北京市东城区", "北京市东城区人民法院"),
    ("310104", "上海市徐汇区", "上海市徐汇区人民法院"),
    ("330106", "浙江省杭州市西湖区", "杭州市西湖区人民法院"),
    ("440305", "广东省深圳市南山区", "深圳市南山区人民法院"),
    ("510107", "四川省成都市武侯区", "成都市武侯区人民法院"),
    ("420106", "湖北省武汉市武昌区", "武汉市武昌区人民法院"),
]
STREETS = ["人民路", "解放路", "建设路", "中山路", "和平路", "文化路", "新华路", "光明路"]
CREDITORS = [
    dict(name="杭州示例小额贷款有限公司（演示）", uscc="91330106MA27X0DEM1", legal_rep="陈立",
         address="浙江省杭州市西湖区文三路 100 号（演示）", lender_type="licensed",
         commission="杭州仲裁委员会"),
    dict(name="示例消费金融股份有限公司（演示）", uscc="91110000MA01DEMO02", legal_rep="周明",
         address="北京市东城区东长安街 1 号（演示）", lender_type="licensed", commission=None),
    dict(name="深圳示例商务信息咨询有限公司（演示）", uscc="91440300MA5DEMO03X", legal_rep="林涛",
         address="广东省深圳市南山区科技园路 8 号（演示）", lender_type="private",
         commission="深圳国际仲裁院"),
]  # fmt: skip
TEAM = [  # username, display name, role, lead
    ("demo_lead", "王法务主管", Role.lead, None),
    ("demo_staff1", "李律", Role.staff, "demo_lead"),
    ("demo_staff2", "赵晓敏", Role.staff, "demo_lead"),
    ("demo_staff3", "孙浩然", Role.staff, "demo_lead"),
    ("demo_viewer", "审计只读", Role.viewer, None),
]
COUNSEL = ["北京示例律师事务所", "浙江示例律师事务所", "广东示例律师事务所"]


@dataclass(frozen=True, slots=True)
class DemoReport:
    creditors: int
    borrowers: int
    loans: int
    ledger_entries: int
    contacts: int
    cases: int
    events: int
    users: int
    archived_case_id: int | None = None  # the case closed long ago (legal_track.demo.archive)


class DemoExistsError(ValueError):
    pass


def _batched(rows: Iterator[dict], size: int = 5000) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _schedule(rng: random.Random, principal: Decimal, rate: Decimal, start: date, months: int):
    """Equal-principal monthly instalments; interest on the opening balance."""

    per = quantize(principal / months)
    rows, balance = [], principal
    for i in range(1, months + 1):
        part = balance if i == months else per
        interest = quantize(balance * rate / 12)
        rows.append(
            {
                "due_on": add_months(start, i).isoformat(),
                "principal": str(part),
                "interest": str(interest),
            }
        )
        balance -= part
    return rows


def is_empty(engine: Engine) -> bool:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(Loan)).one()[0] == 0


def generate(
    engine: Engine,
    *,
    cases: int = 60,
    seed: int = 7,
    as_of: date,
    now: datetime,
    progress: Progress = None,
    archived_case: bool = False,
) -> DemoReport:
    """Write the demo portfolio into an empty database (refuses a non-empty one).
    `archived_case`: also one case closed six years before `as_of`, due for the retention
    purge (not counted in `cases`; its id is in the report)."""
    if not is_empty(engine):
        raise DemoExistsError("the database already holds loans; demo data goes into an empty one")
    rng = random.Random(seed)
    n_loans = cases + max(140, cases // 5)
    counts = dict.fromkeys(("ledger", "contacts", "events"), 0)
    total_steps = n_loans + cases
    with Session(engine) as s:
        conn = s.connection()
        creditor_ids = []
        for c in CREDITORS:
            row = {k: v for k, v in c.items() if k != "commission"}
            creditor_ids.append(
                conn.execute(insert(Creditor).values(**row)).inserted_primary_key[0]
            )
        user_ids: dict[str, int] = {}
        pw_hash = hash_password(DEMO_PASSWORD)
        for username, display, role, lead in TEAM:
            uid = conn.execute(insert(User).values(
                username=username, display_name=display, role=role, language="zh",
                email=f"{username}@legal.example.com", password_hash=pw_hash, active=True,
                lead_id=user_ids.get(lead) if lead else None, created_at=now,
            )).inserted_primary_key[0]  # fmt: skip
            user_ids[username] = uid
        staff = [user_ids[u] for u, _, r, _ in TEAM if r == Role.staff]

        # Borrowers and loans: one loan per borrower, some borrowers with a second loan.
        # Rows go to the database chunk by chunk; only a small summary per loan stays.
        loans: list[dict] = []  # summaries: id, borrower_id, outstanding, overdue, commission
        borrowers: list[dict] = []  # summaries: id, region
        chunk: dict[str, list[dict]] = {"b": [], "l": [], "e": [], "c": []}

        def flush() -> None:
            for key, model in (("b", Borrower), ("l", Loan), ("e", LedgerEntry), ("c", ContactLog)):
                if chunk[key]:
                    conn.execute(insert(model), chunk[key])
                    chunk[key] = []

        b: dict = {}
        used_ids: set[str] = set()
        for i in range(n_loans):
            if not (i % 9 == 8 and borrowers):
                region, district, _court = REGIONS[rng.randrange(len(REGIONS))]
                birth = date(1965, 1, 1) + timedelta(days=rng.randrange(365 * 38))
                b = {
                    "id": len(borrowers) + 1,
                    "name": _name(rng),
                    "id_number": _unique_id(used_ids, region, birth, len(borrowers) + 1),
                    "phone": f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
                    "address": f"{district}{rng.choice(STREETS)}{rng.randrange(1, 300)}号（演示数据）",
                    "email": f"borrower{len(borrowers) + 1}@demo.example.com" if rng.random() < 0.6 else None,
                    "is_demo": True,
                }  # fmt: skip
                borrowers.append({"id": b["id"], "region": region})
                chunk["b"].append(b)
            cred = rng.randrange(len(CREDITORS))
            principal = Decimal(rng.randrange(30, 2000) * 100)
            rate = Decimal(rng.choice(("0.0720", "0.0980", "0.1200", "0.1500", "0.1800", "0.2400")))
            months = rng.choice((12, 12, 24, 36))
            disbursed = as_of - timedelta(days=rng.randrange(400, 1400))
            sched = _schedule(rng, principal, rate, disbursed, months)
            due_dates = [date.fromisoformat(r["due_on"]) for r in sched]
            past = [d for d in due_dates if d < as_of - timedelta(days=30)]
            paid_n = rng.randrange(0, max(1, len(past)))
            overdue_since = due_dates[paid_n] if paid_n < len(due_dates) else None
            paid_principal = sum((Decimal(r["principal"]) for r in sched[:paid_n]), Decimal(0))
            loan_id = i + 1
            commission = CREDITORS[cred]["commission"] if rng.random() < 0.5 else None
            chunk["l"].append({
                "id": loan_id, "contract_no": f"DEMO-{disbursed:%Y}-{loan_id:06d}",
                "creditor_id": creditor_ids[cred], "borrower_id": b["id"], "principal": principal,
                "annual_rate": rate,
                "overdue_rate": quantize(rate * Decimal("1.5")) if rng.random() < 0.7 else None,
                "disbursed_on": disbursed, "maturity_on": due_dates[-1], "schedule": sched,
                "outstanding_principal": principal - paid_principal,
                "overdue_since": overdue_since, "arbitration_commission": commission,
                "agreed_court": None, "status": "overdue",
            })  # fmt: skip
            loans.append(
                {
                    "id": loan_id,
                    "borrower_id": b["id"],
                    "overdue_since": overdue_since,
                    "outstanding_principal": principal - paid_principal,
                    "arbitration_commission": commission,
                }
            )
            chunk["e"].append(
                {
                    "loan_id": loan_id,
                    "kind": "disbursement",
                    "amount": principal,
                    "booked_on": disbursed,
                    "reference": f"FK{loan_id:08d}",
                }
            )
            for k, r in enumerate(sched[:paid_n]):
                amount = Decimal(r["principal"]) + Decimal(r["interest"])
                chunk["e"].append({"loan_id": loan_id, "kind": "repayment", "amount": amount,
                                   "booked_on": date.fromisoformat(r["due_on"]) + timedelta(days=rng.randrange(0, 3)),
                                   "reference": f"HK{loan_id:08d}{k:03d}"})  # fmt: skip
            if overdue_since and rng.random() < 0.3:
                chunk["e"].append(
                    {
                        "loan_id": loan_id,
                        "kind": "fee",
                        "amount": Decimal("50.00"),
                        "booked_on": overdue_since + timedelta(days=15),
                        "reference": f"FY{loan_id:08d}",
                    }
                )
            chunk["c"].extend(_contacts(rng, loan_id, b, overdue_since, as_of))
            if i % 2000 == 1999:
                counts["ledger"] += len(chunk["e"])
                counts["contacts"] += len(chunk["c"])
                flush()
                if progress:
                    progress(i + 1, total_steps)
        counts["ledger"] += len(chunk["e"])
        counts["contacts"] += len(chunk["c"])
        flush()

        # Cases: spread over every route and stage; overdue loans first.
        overdue_loans = [ln for ln in loans if ln["overdue_since"]]
        loans_of: dict[int, list[int]] = {}
        for ln in loans:
            loans_of.setdefault(ln["borrower_id"], []).append(ln["id"])
        in_case: set[int] = set()
        plan = [(route, stage) for route, chain in CHAINS.items() for stage in chain.stages]
        case_rows, links, events = [], [], []
        year = as_of.year
        cost_rules = rules_on(as_of)
        for n in range(cases):
            loan = overdue_loans[n % len(overdue_loans)]
            if loan["id"] in in_case and n < len(overdue_loans):
                loan = next(ln for ln in overdue_loans[n:] if ln["id"] not in in_case)
            route, stage = plan[n % len(plan)]
            route = Route(route)
            case_id = n + 1
            borrower_loans = [loan["id"]]
            in_case.add(loan["id"])
            if n % 7 == 3:  # a borrower's other loans travel in the same case
                borrower_loans += [
                    lid for lid in loans_of[loan["borrower_id"]] if lid not in in_case
                ]
            in_case.update(borrower_loans)
            total = sum(
                (loans[lid - 1]["outstanding_principal"] for lid in borrower_loans), Decimal(0)
            )
            region_court = next(
                (
                    c
                    for code, _, c in REGIONS
                    if code == borrowers[loan["borrower_id"] - 1]["region"]
                ),
                REGIONS[0][2],
            )
            forum = (
                (loan["arbitration_commission"] or "杭州仲裁委员会")
                if route is Route.arbitration
                else region_court
            )
            evs, close_reason = case_events(
                rng,
                route=route,
                stage=Stage(stage),
                as_of=as_of - HISTORY_SHIFT if case_id in SETTLED_CASES else as_of,
                performance_days=rng.choice((10, 15, 30)),
                costs=_demo_costs(total, route, cost_rules),
                counsel=bool(n % 3),
            )
            opened = evs[0]["on"] if evs else as_of
            case_rows.append({
                "id": case_id, "ref": f"LT-{year}-{case_id:06d}", "borrower_id": loan["borrower_id"],
                "route": route.value, "stage": stage, "forum": forum,
                "court_case_no": f"（{year}）示{case_id % 90 + 1:02d}民初{1000 + case_id}号"
                if stage not in ("demand_letter", "lit_filed", "arb_applied", "po_applied") else None,
                "enforcement_case_no": f"（{year}）示执{2000 + case_id}号" if stage.startswith("enf_") else None,
                "counsel_firm": COUNSEL[n % len(COUNSEL)] if n % 3 else None,
                "owner_id": staff[n % len(staff)], "claim_total": str(total),
                "claim_snapshot": {"outstanding_principal": str(total), "as_of": as_of.isoformat()},
                "opened_on": opened, "closed_on": evs[-1]["on"] if close_reason else None,
                "close_reason": close_reason, "created_at": now,
            })  # fmt: skip
            links.extend({"case_id": case_id, "loan_id": lid} for lid in borrower_loans)
            owner = TEAM[1 + n % len(staff)][0]
            for ev in evs:
                events.append(
                    {
                        "case_id": case_id,
                        "actor": owner,
                        "note": "",
                        "created_at": now,
                        "party": ev.get("party"),
                        "kind": ev["kind"],
                        "on": ev["on"],
                        "data": ev.get("data", {}),
                    }
                )
            if progress and n % 1000 == 0:
                progress(n_loans + n, total_steps)
        for batch in _batched(iter(case_rows)):
            conn.execute(insert(Case), batch)
        for batch in _batched(iter(links)):
            conn.execute(insert(CaseLoan), batch)
        for batch in _batched(iter(events)):
            conn.execute(insert(CaseEvent), batch)
        counts["events"] = len(events)
        legal_ids = {link["loan_id"] for link in links}
        conn.execute(Loan.__table__.update().where(Loan.__table__.c.id.in_(legal_ids)).values(status="legal"))  # fmt: skip
        counts |= _collections_extras(conn, random.Random(seed + 1), loans, legal_ids,
                                      used_ids, as_of)  # fmt: skip
        archived = None
        if archived_case:
            archived = add_archived_case(
                conn, as_of=as_of, id_number=_unique_id(used_ids, "110101", date(1975, 4, 12), 998),
                creditor_id=creditor_ids[0], owner_id=staff[0], owner=TEAM[1][0],
                court=REGIONS[0][2], now=now,
            )  # fmt: skip
        advance_sequences(conn)  # the demo writes its own ids
        _outside_counsel(conn, case_rows, pw_hash, now)
        record(
            s,
            AuditEvent(
                "system",
                "demo.generate",
                detail={"cases": cases, "seed": seed, "as_of": as_of.isoformat()},
            ),
            now=now,
        )
        s.commit()
        add_demo_settlements(s, as_of=as_of, now=now)  # a kept and a missed instalment plan
        add_demo_third_parties(s, as_of=as_of, now=now)  # a covered, a flagged, a marked contact
        rebuild_visits(s)  # the stays in each stage, for the dashboard
        rebuild_recovery(s)
        rebuild_costs(s)
    if progress:
        progress(total_steps, total_steps)
    return DemoReport(
        len(CREDITORS),
        len(borrowers),
        len(loans),
        counts["ledger"],
        counts["contacts"],
        len(case_rows),
        counts["events"],
        len(TEAM),
        archived,
    )


def _demo_costs(claim: Decimal, route: Route, rules) -> Cost:
    """The fees a demo case pays, from the fee rules and the escalation pack's estimate."""
    procedure = "payment_order" if route is Route.payment_order else "ordinary"
    expected = expected_cost(claim, route.value, procedure, rules)
    return Cost(expected.court_fee, expected.preservation_fee, expected.counsel_fee,
                enforcement_fee(claim).fee)  # fmt: skip


def _collections_extras(conn, rng: random.Random, loans: list[dict], legal_ids: set[int],
                        used_ids: set[str], as_of: date) -> dict[str, int]:  # fmt: skip
    """What collections leave behind on loans not yet in a case, for the escalation queue:
    a repayment plan on every 7th overdue loan (the first instalment paid, the second
    broken, the third still to come) and a guarantor on every 11th. A stream of its own
    (`seed + 1`) keeps every other demo row as it was."""
    plans, ledger, parties, guarantors = [], [], [], []
    waiting = [ln for ln in loans if ln["overdue_since"] and ln["id"] not in legal_ids]
    for n, ln in enumerate(waiting):
        if n % 7 == 0:
            agreed = as_of - timedelta(days=75)
            amount = quantize(max(ln["outstanding_principal"] / 10, Decimal(300)))
            for k in range(3):
                plans.append({"loan_id": ln["id"], "plan_no": f"FQ{ln['id']:06d}",
                              "agreed_on": agreed, "instalment_no": k + 1,
                              "due_on": agreed + timedelta(days=30 * (k + 1)), "amount": amount})  # fmt: skip
            ledger.append({"loan_id": ln["id"], "kind": "repayment", "amount": amount,
                           "booked_on": agreed + timedelta(days=29),
                           "reference": f"FQHK{ln['id']:08d}"})  # fmt: skip
        if n % 11 == 5:
            region, district, _court = REGIONS[rng.randrange(len(REGIONS))]
            birth = date(1960, 1, 1) + timedelta(days=rng.randrange(365 * 35))
            guarantors.append({
                "name": _name(rng), "id_number": _unique_id(used_ids, region, birth, 900 + n % 99),
                "phone": f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
                "address": f"{district}{rng.choice(STREETS)}{rng.randrange(1, 300)}号（演示数据）",
                "email": None, "is_demo": True,
            })  # fmt: skip
            parties.append(ln["id"])
    if plans:
        conn.execute(insert(RepaymentPlan), plans)
        conn.execute(insert(LedgerEntry), ledger)
    first = (conn.execute(select(func.max(Borrower.id))).scalar() or 0) + 1
    for n, (loan_id, person) in enumerate(zip(parties, guarantors, strict=True)):
        conn.execute(insert(Borrower).values(id=first + n, **person))
        conn.execute(insert(LoanParty).values(loan_id=loan_id, borrower_id=first + n,
                                              role="guarantor"))  # fmt: skip
    return {"plans": len({p["loan_id"] for p in plans}), "guarantors": len(parties)}


COUNSEL_ACCOUNT = ("demo_counsel", "周律师（浙江示例律师事务所）")
COUNSEL_FEES = {"lit_filed": "1500.00", "arb_applied": "1500.00", "po_applied": "800.00",
                "lit_judgment": "3000.00", "enf_applied": "1000.00"}  # fmt: skip


def _outside_counsel(conn, case_rows: list[dict], pw_hash: str, now: datetime) -> None:
    """The demo's law firms as records (fees per stage and 8 % of recovery), each demo case
    with a firm assigned to it from the day it opened, and a counsel account of the second
    firm (it sees that firm's cases only)."""
    firm_ids = {}
    for n, name in enumerate(COUNSEL):
        firm_ids[name] = conn.execute(insert(LawFirm).values(
            name=name, uscc=None, contact=f"联系人{n + 1}", phone="", email="",
            fee_per_stage=COUNSEL_FEES, fee_rate=Decimal("0.08"), active=True, created_at=now,
        )).inserted_primary_key[0]  # fmt: skip
    rows = [{"case_id": c["id"], "firm_id": firm_ids[c["counsel_firm"]], "lawyer_id": None,
             "includes_filing": True, "assigned_on": c["opened_on"], "ended_on": None,
             "note": "演示数据", "assigned_by": "demo", "assigned_at": now}
            for c in case_rows if c["counsel_firm"]]  # fmt: skip
    for batch in _batched(iter(rows)):
        conn.execute(insert(CaseAssignment), batch)
    username, display = COUNSEL_ACCOUNT
    uid = conn.execute(insert(User).values(
        username=username, display_name=display, role=Role.counsel, language="zh",
        email=f"{username}@lawfirm.example.com", password_hash=pw_hash, active=True,
        created_at=now,
    )).inserted_primary_key[0]  # fmt: skip
    conn.execute(insert(CounselAccount).values(user_id=uid, firm_id=firm_ids[COUNSEL[1]]))


def _unique_id(used: set[str], region: str, birth: date, seq: int) -> str:
    """A valid ID number not used yet in this portfolio (sequence codes wrap at 1,000)."""
    while (number := make_id_number(region, birth, seq)) in used:
        birth += timedelta(days=1)
    used.add(number)
    return number


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), SHANGHAI).astimezone(UTC)


def _contacts(rng: random.Random, loan_id: int, b: dict, overdue_since: date | None, as_of: date):
    """Early reminders and follow-up after the first missed due date."""
    if overdue_since is None:
        return []
    rows, day, k = [], overdue_since + timedelta(days=1), 0
    end = min(as_of, overdue_since + timedelta(days=rng.randrange(60, 400)))
    while day < end and k < 8:
        channel = rng.choice(("sms", "sms", "app", "call", "call", "email", "letter"))
        if channel == "email" and not b["email"]:
            channel = "sms"
        status = rng.choices(("delivered", "failed", "unknown"), (0.75, 0.2, 0.05))[0]
        target = {"email": b["email"], "letter": b["address"]}.get(channel, b["phone"])
        promise = channel == "call" and status == "delivered" and rng.random() < 0.4
        content = {
            "sms": "【示例贷款】您的借款已逾期，请尽快还款，如有疑问请致电客服。",
            "app": "您的借款已逾期，请登录 App 查看还款计划。",
            "email": "逾期还款提醒：请于 7 日内归还欠款。",
            "letter": "催收函：请于收到本函之日起 7 日内履行还款义务。",
            "call": "电话联系借款人，告知逾期情况" + ("，借款人承诺还款" if promise else ""),
        }[channel]
        rows.append({
            "loan_id": loan_id, "at": _at(day, rng.randrange(9, 19), rng.randrange(60)),
            "channel": channel, "direction": "outbound", "target": target, "content": content,
            "delivery_status": status, "agent": rng.choice(("催收员甲", "催收员乙", "催收员丙")),
            "promise_date": day + timedelta(days=7) if promise else None,
            "promise_amount": Decimal(rng.randrange(5, 50) * 100) if promise else None,
            "proof_ref": f"REC-{loan_id}-{k}" if channel in ("call", "letter") else None,
        })  # fmt: skip
        day += timedelta(days=rng.randrange(5, 45))
        k += 1
    return rows
