"""Contact-log files: collection contacts keyed (loan, time, channel, target).

A time without a zone is local time in settings.timezone (Asia/Shanghai) and is
stored as aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from legal_track.intake import cells
from legal_track.intake.columns import Column
from legal_track.intake.linked import LoanLinkedImporter
from legal_track.intake.rows import ParsedRow
from legal_track.intake.store import changed_fields, fetch_tuples, insert_many, update_by_id
from legal_track.models import Channel, ContactLog, DeliveryStatus, Direction

CHANNELS = {c.value: c.value for c in Channel} | {
    "短信": Channel.sms.value,
    "邮件": Channel.email.value,
    "站内信": Channel.app.value,
    "电话": Channel.call.value,
    "信函": Channel.letter.value,
    "上门": Channel.visit.value,
}
DELIVERY = {d.value: d.value for d in DeliveryStatus} | {
    "已送达": DeliveryStatus.delivered.value,
    "失败": DeliveryStatus.failed.value,
    "未知": DeliveryStatus.unknown.value,
}

_FIELDS = ("content", "delivery_status", "agent")
_OPTIONAL_FIELDS = ("promise_date", "promise_amount")


@dataclass(frozen=True, slots=True)
class ContactRow:
    """One valid row of a contacts file; `time` is aware UTC."""

    contract_no: str
    time: datetime
    channel: str
    target: str | None
    content: str | None
    delivery_status: str | None
    agent: str | None
    promise_date: date | None
    promise_amount: Decimal | None

    @classmethod
    def of(cls, values: dict[str, Any]) -> ContactRow:
        return cls(**{name: values.get(name) for name in cls.__slots__})


class ContactImporter(LoanLinkedImporter):
    kind = "contacts"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._columns = (
            Column("contract_no", "合同编号", cells.text(64)),
            Column("time", "时间", cells.a_datetime(self.zone)),
            Column("channel", "渠道", cells.choice(CHANNELS)),
            Column("target", "号码/地址", cells.text(254), cell_required=False),
            Column("content", "内容", cells.text(), cell_required=False),
            Column("delivery_status", "送达状态", cells.choice(DELIVERY), cell_required=False),
            Column("agent", "催收员", cells.text(100), cell_required=False),
            Column("promise_date", "承诺还款日", cells.a_date, required=False, cell_required=False),
            Column("promise_amount", "承诺金额", cells.amount, required=False, cell_required=False),
        )

    @property
    def columns(self) -> tuple[Column, ...]:
        return self._columns

    def check(self, rows: list[ParsedRow]) -> None:
        self.resolve(rows)
        for row in rows:
            v = row.values
            if v.get("contract_no") and v.get("time") and v.get("channel") and "target" in v:
                key = (v["contract_no"], v["time"], v["channel"], v["target"] or "")
                self.repeated(self.seen, key, row, "time", "repeated_contact")

    def write(self, rows: list[ParsedRow]) -> None:
        assert self.header is not None
        table = ContactLog.__table__
        fields = [*_FIELDS, *(f for f in _OPTIONAL_FIELDS if self.header.has(f))]
        wanted: dict[tuple, dict[str, Any]] = {}
        for r in map(ContactRow.of, (row.values for row in rows)):
            key = (self.loan_ids[r.contract_no], r.time, r.channel, r.target or "")
            values = {
                "content": r.content or "",
                "delivery_status": r.delivery_status or DeliveryStatus.unknown.value,
                "agent": r.agent,
                "promise_date": r.promise_date,
                "promise_amount": r.promise_amount,
            }
            wanted[key] = {f: values[f] for f in fields}
        key_columns = [table.c.loan_id, table.c.at, table.c.channel, table.c.target]
        columns = [table.c.id, *key_columns, *(table.c[f] for f in fields)]
        changed, existing = [], set()
        for found in fetch_tuples(self.conn, columns, key_columns, wanted):
            key = (found.loan_id, found.at, found.channel, found.target)
            existing.add(key)
            if changed_fields(found, wanted[key], fields):
                changed.append({"id": found.id, **wanted[key]})
                self.counts.loan_ids.add(found.loan_id)
        new = [
            {
                "loan_id": key[0],
                "at": key[1],
                "channel": key[2],
                "target": key[3],
                "direction": Direction.outbound.value,
                "proof_ref": None,
                "promise_date": None,
                "promise_amount": None,
                **values,
            }
            for key, values in wanted.items()
            if key not in existing
        ]
        insert_many(self.conn, table, new)
        update_by_id(self.conn, table, fields, changed)
        self.counts.loan_ids.update(n["loan_id"] for n in new)
        self.counts.created += len(new)
        self.counts.updated += len(changed)
        self.counts.unchanged += len(existing) - len(changed)
