"""The zh / en explanation of a limitation clock: what started it, what restarted it, why
this date. Every sentence comes from the catalog (`locale/claims.toml`)."""

from __future__ import annotations

from collections import Counter

from legal_track.i18n import t
from legal_track.limitation.clock import Clock, InterruptEvent, InterruptKind, Risk, Roller, rules


def _event(ev: InterruptEvent, lang: str) -> str:
    what = t(f"claims.kind.{ev.kind}", lang)
    if ev.kind in (InterruptKind.demand, InterruptKind.promise) and ev.source == "contact_log":
        what += f" ({t(f'channel.{ev.detail}', lang)})"
    elif ev.source == "case_event":
        what += f" ({ev.detail})"
    basis = ev.basis_zh if lang == "zh" else ev.basis
    return t("claims.limit.event", lang, on=ev.on.isoformat(), what=what, proof=ev.proof,
             basis=basis)  # fmt: skip


def _expiry(raw, roll: Roller, lang: str, key: str) -> str:
    due, _ = roll(raw)
    period = rules()["period"]
    if due == raw:
        return t(key, lang, date=raw.isoformat())
    basis = period["rest_day_basis_zh" if lang == "zh" else "rest_day_basis"]
    return t(f"{key}_rolled", lang, raw=raw.isoformat(), date=due.isoformat(), basis=basis)


def _start_basis(from_schedule: bool, zh: bool) -> str:
    period = rules()["period"]
    key = "start_basis" if from_schedule else "basis"
    return period[f"{key}_zh" if zh else key]


def explain_one(clock: Clock, events: list[InterruptEvent], ignored: Counter, risk: Risk,
                days: int, from_schedule: bool, roll: Roller, lang: str) -> str:  # fmt: skip
    period = rules()["period"]
    zh = lang == "zh"
    parts = [
        t("claims.limit.start", lang, start=clock.start.isoformat(),
          what=t("claims.limit.start_schedule" if from_schedule else "claims.limit.start_maturity", lang),
          basis=_start_basis(from_schedule, zh), years=period["years"])
    ]  # fmt: skip
    if clock.last_event is None:
        parts.append(t("claims.limit.no_event", lang))
    else:
        parts.append(t("claims.limit.last", lang, event=_event(clock.last_event, lang),
                       basis=period["restart_basis_zh" if zh else "restart_basis"]))  # fmt: skip
        if clock.last_event.kind == InterruptKind.filing:
            parts.append(t("claims.limit.filing_note", lang))
    parts.append(_expiry(clock.raw_expiry, roll, lang, "claims.limit.expiry"))
    calls = [e for e in events if not e.certain]
    if clock.conservative_expiry != clock.expiry or clock.conservative_last != clock.last_event:
        last = clock.conservative_last
        parts.append(
            t("claims.limit.conservative", lang, date=clock.conservative_expiry.isoformat(),
              event=_event(last, lang) if last else t("claims.limit.start_only", lang))
        )  # fmt: skip
    elif calls:
        parts.append(t("claims.limit.calls_same", lang, n=len(calls)))
    if clock.longstop < roll(clock.raw_expiry)[0]:
        parts.append(t("claims.limit.longstop", lang, date=clock.longstop.isoformat(),
                       basis=period["longstop_basis_zh" if zh else "longstop_basis"]))  # fmt: skip
    if ignored.get("failed") or ignored.get("unknown"):
        parts.append(t("claims.limit.ignored", lang, failed=ignored.get("failed", 0),
                       unknown=ignored.get("unknown", 0)))  # fmt: skip
    if clock.late:
        debtor = sum(e.kind in (InterruptKind.repayment, InterruptKind.promise) for e in clock.late)
        parts.append(t("claims.limit.late", lang, n=len(clock.late), debtor=debtor,
                       basis=period["waiver_basis_zh" if zh else "waiver_basis"]))  # fmt: skip
    parts.append(
        t("claims.limit.risk", lang, label=t(f"claims.risk.{risk.value}", lang), days=days)
    )
    if clock.provisional:
        parts.append(t("claims.limit.provisional", lang))
    return ("" if zh else " ").join(parts)


def explain(clock: Clock, events: list[InterruptEvent], ignored: Counter, risk: Risk, days: int,
            from_schedule: bool, roll: Roller) -> tuple[str, str]:  # fmt: skip
    return tuple(  # type: ignore[return-value]
        explain_one(clock, events, ignored, risk, days, from_schedule, roll, lang)
        for lang in ("zh", "en")
    )
