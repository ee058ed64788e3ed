"""Settlement pauses: a settlement agreement pauses the case's internal deadlines
(rules with `settlement = "pause"`) while it is kept; a missed instalment or a breach
resumes them with the days that were left on the day of the agreement (pure: no
database, no clock).

Statutory and court-set periods (`settlement = "none"`) are never touched: a private
agreement cannot stop them (CPL arts. 85, 86). Every paused or resumed date says so in
its explanation.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from legal_track.deadlines.engine import ComputedDeadline, DeadlineComputer
from legal_track.i18n import t


@dataclass(frozen=True, slots=True)
class Pause:
    """One settlement window: agreed on `agreed` (event `event_id`), resumed on
    `resumed` by event `resumed_event_id` of kind `resumed_kind` (None: still kept)."""

    agreed: date
    event_id: int
    resumed: date | None = None
    resumed_event_id: int | None = None
    resumed_kind: str = ""


def pauses_of(events, computer: DeadlineComputer) -> list[Pause]:
    """The settlement windows of one case from its events (objects with id, kind, on),
    in date order. An agreement recorded while another is kept does not open a second
    window; a resuming event with no window open is ignored."""
    policy = computer.rules.settlement
    out: list[Pause] = []
    current: Pause | None = None
    for ev in sorted(events, key=lambda e: (e.on, e.id)):
        if ev.kind in policy.agreed and current is None:
            current = Pause(ev.on, ev.id)
        elif ev.kind in policy.resumed_by and current is not None and ev.on >= current.agreed:
            out.append(replace(current, resumed=ev.on, resumed_event_id=ev.id,
                               resumed_kind=ev.kind))  # fmt: skip
            current = None
    if current is not None:
        out.append(current)
    return out


def apply_pauses(
    computer: DeadlineComputer, c: ComputedDeadline, pauses: list[Pause]
) -> tuple[ComputedDeadline, Pause | None]:
    """The deadline `c` after the settlement windows: (deadline, the window that holds it
    paused now, or None). A window pauses `c` when `c` was running on the agreement day
    (trigger on or before it, due on or after it); when the window ends, `c` runs again
    from the next day for the days that were left (rolled off a rest day as the rule
    says)."""
    rule = computer.rules.version(c.rule_id, c.trigger)
    if rule.settlement != "pause" or not pauses:
        return c, None
    policy = computer.rules.settlement
    why = policy.text(rule)
    for p in pauses:
        if not (c.trigger <= p.agreed <= c.due):
            continue
        left = (c.due - p.agreed).days
        zh = f"{c.explanation_zh}；{p.agreed} 达成和解协议（事件#{p.event_id}），期限暂停，剩余{left}日"
        en = (f"{c.explanation_en}; settlement agreed on {p.agreed} (event #{p.event_id}): "
              f"paused with {left} days left")  # fmt: skip
        if p.resumed is None:
            c = replace(c, explanation_zh=f"{zh}（{why.zh}）", explanation_en=f"{en} ({why.en})")
            return c, p
        raw = p.resumed + timedelta(days=left)
        due, provisional, skipped, end_zh, end_en = computer._roll(rule, raw)
        kind_zh = t(f"deadline.event.{p.resumed_kind}", "zh")
        kind_en = t(f"deadline.event.{p.resumed_kind}", "en")
        zh += (f"；{p.resumed} {kind_zh}（事件#{p.resumed_event_id}），自次日恢复计算剩余{left}日，"
               f"届满日 {raw}{end_zh}（{why.zh}）")  # fmt: skip
        en += (f"; {_lower(kind_en)} on {p.resumed} (event #{p.resumed_event_id}): resumes the "
               f"next day for the {left} days left, ends on {raw}{end_en} ({why.en})")  # fmt: skip
        c = replace(
            c, raw_due=raw, due=due, provisional=c.provisional or provisional,
            skipped=tuple(skipped), explanation_zh=zh, explanation_en=en,
        )  # fmt: skip
    return c, None


def _lower(text: str) -> str:
    return text[0].lower() + text[1:] if len(text) > 1 and text[1].islower() else text
