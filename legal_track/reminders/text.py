"""What reminder e-mails say: subject, plain text and HTML, in the recipient's language.

Pure functions over plain data; the words come from `locale/reminders.toml`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape

from legal_track.i18n import t

SEVERITY_ORDER = {"fatal": 0, "critical": 1, "info": 2}


@dataclass(frozen=True, slots=True)
class DeadlineEntry:
    """One deadline as reminders and calendars show it."""

    deadline_id: int
    case_id: int
    case_ref: str
    owner_id: int | None
    borrower: str  # masked
    rule_id: str
    severity: str
    due: date
    provisional: bool
    explanation_zh: str
    explanation_en: str
    rule_version: str = ""

    def explanation(self, lang: str) -> str:
        return self.explanation_en if lang == "en" and self.explanation_en else self.explanation_zh


@dataclass(frozen=True, slots=True)
class NoticeEntry:
    """A deadline the engine moved (holiday notice loaded, or computed date changed under
    an override), not yet acknowledged on the deadline board."""

    case_ref: str
    rule_id: str
    old_due: date | None
    new_due: date
    message_zh: str
    message_en: str

    def message(self, lang: str) -> str:
        return self.message_en if lang == "en" and self.message_en else self.message_zh


@dataclass(frozen=True, slots=True)
class LimitationEntry:
    """A loan whose limitation clock is at risk."""

    loan_id: int
    contract_no: str
    borrower: str  # masked
    expiry: date
    conservative_expiry: date
    risk: str
    case_ref: str | None = None


@dataclass(frozen=True, slots=True)
class Section:
    key: str  # overdue | today | upcoming
    lines: tuple[DeadlineEntry, ...]
    total: int


@dataclass(frozen=True, slots=True)
class DigestContent:
    """One user's digest for one day (lines already capped; totals count everything)."""

    name: str
    today: date
    horizon_days: int
    sections: tuple[Section, ...]
    limitation: tuple[LimitationEntry, ...] = ()
    limitation_total: int = 0
    app_url: str = ""
    notices: tuple[NoticeEntry, ...] = ()
    notices_total: int = 0

    @property
    def empty(self) -> bool:
        return not (
            any(s.total for s in self.sections) or self.limitation_total or self.notices_total
        )


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text: str
    html: str


def rule_name(rule_id: str, lang: str) -> str:
    """The rule's display name: the deadline engine's catalog entry when it has one."""
    for key in (f"deadline.rule.{rule_id}", f"reminders.rule.{rule_id}"):
        try:
            return t(key, lang)
        except KeyError:
            continue
    return rule_id.replace("_", " ")


def severity_name(severity: str, lang: str) -> str:
    return t(f"reminders.severity.{severity}", lang)


def case_url(app_url: str, case_ref: str) -> str:
    """The link to a case in the app (the case page takes the reference as `ref`)."""
    return f"{app_url.rstrip('/')}/case?ref={case_ref}"


def _when(entry: DeadlineEntry, today: date, lang: str) -> str:
    days = (entry.due - today).days
    if days < 0:
        return t("reminders.when.overdue", lang, days=-days)
    if days == 0:
        return t("reminders.when.today", lang)
    return t("reminders.when.in_days", lang, days=days)


def _line_text(e: DeadlineEntry, today: date, lang: str, app_url: str) -> str:
    head = (
        f"- [{severity_name(e.severity, lang)}] {e.case_ref} · {e.borrower} · "
        f"{rule_name(e.rule_id, lang)} · {e.due.isoformat()} ({_when(e, today, lang)})"
    )
    if e.provisional:
        head += " " + t("reminders.provisional", lang)
    rows = [head]
    if e.explanation(lang):
        rows.append(f"  {e.explanation(lang)}")
    rows.append(f"  {case_url(app_url, e.case_ref)}")
    return "\n".join(rows)


def _line_html(e: DeadlineEntry, today: date, lang: str, app_url: str) -> str:
    url = escape(case_url(app_url, e.case_ref))
    provisional = f" <em>{escape(t('reminders.provisional', lang))}</em>" if e.provisional else ""
    return (
        f"<tr><td>{escape(severity_name(e.severity, lang))}</td>"
        f'<td><a href="{url}">{escape(e.case_ref)}</a></td><td>{escape(e.borrower)}</td>'
        f"<td>{escape(rule_name(e.rule_id, lang))}</td>"
        f"<td>{e.due.isoformat()} ({escape(_when(e, today, lang))}){provisional}</td>"
        f"<td>{escape(e.explanation(lang))}</td></tr>"
    )


def _limitation_text(e: LimitationEntry, lang: str, app_url: str) -> str:
    case = f" · {e.case_ref} {case_url(app_url, e.case_ref)}" if e.case_ref else ""
    return "- " + t(
        "reminders.limitation.line", lang, contract=e.contract_no, borrower=e.borrower,
        expiry=e.conservative_expiry.isoformat(), risk=t(f"reminders.risk.{e.risk}", lang),
    ) + case  # fmt: skip


def _limitation_html(e: LimitationEntry, lang: str, app_url: str) -> str:
    case = (
        f'<a href="{escape(case_url(app_url, e.case_ref))}">{escape(e.case_ref)}</a>'
        if e.case_ref
        else ""
    )
    return (
        f"<tr><td>{escape(t(f'reminders.risk.{e.risk}', lang))}</td><td>{escape(e.contract_no)}</td>"
        f"<td>{escape(e.borrower)}</td><td>{e.conservative_expiry.isoformat()}</td><td>{case}</td></tr>"
    )


def _notice_line(n: NoticeEntry, lang: str) -> str:
    old = n.old_due.isoformat() if n.old_due else "—"
    line = f"{n.case_ref} · {rule_name(n.rule_id, lang)} · {old} → {n.new_due.isoformat()}"
    return f"{line} · {n.message(lang)}" if n.message(lang) else line


def _more(total: int, shown: int, lang: str) -> str | None:
    return t("reminders.more", lang, count=total - shown) if total > shown else None


_STYLE = (
    "<style>body{font-family:sans-serif;font-size:14px}table{border-collapse:collapse}"
    "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}"
    "h3{margin-top:1.2em}</style>"
)


def _html_doc(lang: str, title: str, body: str) -> str:
    return (
        f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head>'
        f'<meta charset="utf-8"><title>{escape(title)}</title>{_STYLE}</head><body>{body}</body></html>'
    )


def _table_head(lang: str, keys: tuple[str, ...]) -> str:
    return "<table><tr>" + "".join(f"<th>{escape(t(k, lang))}</th>" for k in keys) + "</tr>"


_DEADLINE_COLS = (
    "reminders.col.severity", "reminders.col.case", "reminders.col.borrower",
    "reminders.col.rule", "reminders.col.due", "reminders.col.explanation",
)  # fmt: skip
_LIMITATION_COLS = (
    "reminders.col.risk", "reminders.col.contract", "reminders.col.borrower",
    "reminders.col.expiry", "reminders.col.case",
)  # fmt: skip


def render_digest(d: DigestContent, lang: str) -> Rendered:
    counts = {s.key: s.total for s in d.sections}
    subject = t(
        "reminders.digest.subject", lang, date=d.today.isoformat(), overdue=counts.get("overdue", 0),
        today=counts.get("today", 0), upcoming=counts.get("upcoming", 0),
        days=d.horizon_days, limitation=d.limitation_total,
    )  # fmt: skip
    text = [t("reminders.greeting", lang, name=d.name), ""]
    html = [f"<p>{escape(t('reminders.greeting', lang, name=d.name))}</p>"]
    for s in d.sections:
        title = t(f"reminders.digest.{s.key}", lang, days=d.horizon_days, count=s.total)
        text.append(title)
        html.append(f"<h3>{escape(title)}</h3>")
        if not s.total:
            text += [t("reminders.none", lang), ""]
            html.append(f"<p>{escape(t('reminders.none', lang))}</p>")
            continue
        text += [_line_text(e, d.today, lang, d.app_url) for e in s.lines]
        html.append(_table_head(lang, _DEADLINE_COLS))
        html += [_line_html(e, d.today, lang, d.app_url) for e in s.lines]
        html.append("</table>")
        if more := _more(s.total, len(s.lines), lang):
            text.append(more)
            html.append(f"<p>{escape(more)}</p>")
        text.append("")
    if d.notices_total:
        title = t("reminders.digest.moved", lang, count=d.notices_total)
        text.append(title)
        html += [f"<h3>{escape(title)}</h3>", "<ul>"]
        for n in d.notices:
            line = _notice_line(n, lang)
            text.append(f"- {line}  {case_url(d.app_url, n.case_ref)}")
            html.append(
                f'<li><a href="{escape(case_url(d.app_url, n.case_ref))}">{escape(line)}</a></li>'
            )
        html.append("</ul>")
        if more := _more(d.notices_total, len(d.notices), lang):
            text.append(more)
            html.append(f"<p>{escape(more)}</p>")
        text.append("")
    if d.limitation_total:
        title = t("reminders.digest.limitation", lang, count=d.limitation_total)
        text.append(title)
        text += [_limitation_text(e, lang, d.app_url) for e in d.limitation]
        html += [f"<h3>{escape(title)}</h3>", _table_head(lang, _LIMITATION_COLS)]
        html += [_limitation_html(e, lang, d.app_url) for e in d.limitation]
        html.append("</table>")
        if more := _more(d.limitation_total, len(d.limitation), lang):
            text.append(more)
            html.append(f"<p>{escape(more)}</p>")
        text.append("")
    footer = t("reminders.digest.footer", lang, url=d.app_url.rstrip("/"))
    text.append(footer)
    html.append(f"<p><small>{escape(footer)}</small></p>")
    return Rendered(subject, "\n".join(text) + "\n", _html_doc(lang, subject, "".join(html)))


def _stage(entry: DeadlineEntry, today: date, lang: str) -> str:
    return _when(entry, today, lang)


def render_alert(
    entry: DeadlineEntry, *, today: date, lang: str, name: str, app_url: str
) -> Rendered:
    """An immediate alert about one deadline."""
    subject = t(
        "reminders.alert.subject", lang, severity=severity_name(entry.severity, lang),
        case=entry.case_ref, rule=rule_name(entry.rule_id, lang), when=_stage(entry, today, lang),
        due=entry.due.isoformat(),
    )  # fmt: skip
    intro = t("reminders.alert.intro", lang)
    return _single(subject, intro, entry, today=today, lang=lang, name=name, app_url=app_url)


def render_escalation(
    entry: DeadlineEntry, *, today: date, lang: str, name: str, owner: str, app_url: str
) -> Rendered:
    """An overdue deadline told to the owner's lead."""
    subject = t(
        "reminders.escalation.subject", lang, case=entry.case_ref,
        rule=rule_name(entry.rule_id, lang), when=_stage(entry, today, lang), owner=owner,
    )  # fmt: skip
    intro = t("reminders.escalation.intro", lang, owner=owner)
    return _single(subject, intro, entry, today=today, lang=lang, name=name, app_url=app_url)


def _single(
    subject: str,
    intro: str,
    entry: DeadlineEntry,
    *,
    today: date,
    lang: str,
    name: str,
    app_url: str,
) -> Rendered:
    greeting = t("reminders.greeting", lang, name=name)
    text = "\n".join([greeting, "", intro, "", _line_text(entry, today, lang, app_url), ""]) + "\n"
    body = (
        f"<p>{escape(greeting)}</p><p>{escape(intro)}</p>"
        + _table_head(lang, _DEADLINE_COLS)
        + _line_html(entry, today, lang, app_url)
        + "</table>"
    )
    return Rendered(subject, text, _html_doc(lang, subject, body))


def sort_key(entry: DeadlineEntry) -> tuple:
    return (SEVERITY_ORDER.get(entry.severity, 9), entry.due, entry.case_ref)
