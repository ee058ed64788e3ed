"""E-mail: building a message is a pure function; sending it is a swappable `Mailer`.

`render_message` writes a complete MIME message (plain text, HTML alternative,
attachments) as RFC 5322 text: 7-bit clean (base64 bodies, RFC 2047 headers), CRLF,
MIME boundaries derived from the Message-ID, so the same input always gives the same
bytes. It writes the few fixed shapes reminders need directly, because building them
with the `email` package's classes and generator cost more than the rest of a reminder
pass; `compose` returns the same message parsed into an `EmailMessage`.

`SmtpMailer` talks to the configured SMTP server (none / STARTTLS / SSL, optional login);
`OutboxMailer` writes each message as `<message-id>.eml` into the outbox folder (the
embedded default when no SMTP host is set). Both take an `Outgoing` (envelope + bytes).
Message-IDs are deterministic (derived from the reminder's unique key), so a message sent
twice after a crash is recognisable as the same message by any receiver.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser, HeaderParser
from email.utils import format_datetime, formataddr, getaddresses, parseaddr
from pathlib import Path
from typing import Protocol

from legal_track.config import Settings, SmtpSecurity
from legal_track.db import utcnow_from

CRLF = "\r\n"


class MessageRejected(ValueError):
    """The server refused this one message (recipient, sender or content); others may pass."""


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str  # ASCII
    data: bytes
    content_type: str = (
        "application/octet-stream"  # with parameters, e.g. text/calendar; method=PUBLISH
    )


def calendar_attachment(data: bytes, filename: str = "deadlines.ics") -> Attachment:
    return Attachment(filename, data, 'text/calendar; method=PUBLISH; charset="utf-8"')


def make_message_id(key: Sequence[object], *, sender: str, label: str = "") -> str:
    """A Message-ID that depends only on `key`: the same reminder always gets the same id."""
    digest = hashlib.sha256("\x1f".join(str(k) for k in key).encode("utf-8")).hexdigest()[:24]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "legal-track.invalid"
    label = re.sub(r"[^A-Za-z0-9.-]", "", label)
    return f"<{label + '.' if label else ''}{digest}@{domain}>"


def _encoded_words(text: str) -> str:
    """RFC 2047 base64 encoded words, one per line, so no line exceeds 76 characters."""
    if text.isascii() and len(text) <= 60 and "=?" not in text:
        return text
    words, chunk = [], b""
    limit = 39  # 39 bytes -> 52 base64 characters -> 64 with =?utf-8?b? ... ?=
    for ch in text:
        b = ch.encode("utf-8")
        if len(chunk) + len(b) > limit:
            words.append(chunk)
            chunk = b""
        chunk += b
    words.append(chunk)
    encoded = [f"=?utf-8?b?{base64.b64encode(w).decode('ascii')}?=" for w in words]
    return (CRLF + " ").join(encoded)


def _address(value: str) -> str:
    name, addr = parseaddr(value)
    if not name:
        return addr
    if name.isascii():
        return formataddr((name, addr))
    return f"{_encoded_words(name)} <{addr}>"


def _leaf(content_type: str, data: bytes, extra: str = "") -> str:
    body = base64.encodebytes(data).decode("ascii").replace("\n", CRLF)
    return (
        f"Content-Type: {content_type}{CRLF}Content-Transfer-Encoding: base64{CRLF}"
        f"{extra}{CRLF}{body}"
    )


def _multipart(subtype: str, boundary: str, parts: list[str]) -> str:
    inner = "".join(f"--{boundary}{CRLF}{p}" for p in parts)
    return f'Content-Type: multipart/{subtype}; boundary="{boundary}"{CRLF}{CRLF}{inner}--{boundary}--{CRLF}'


def render_message(
    *,
    sender: str,
    recipient: str,
    subject: str,
    text: str,
    html: str | None,
    message_id: str,
    date: datetime,
    attachments: Sequence[Attachment] = (),
) -> str:
    """The complete message as RFC 5322 text (ASCII, CRLF). Pure."""
    token = hashlib.sha256(message_id.encode("utf-8")).hexdigest()[:20]
    body = _leaf('text/plain; charset="utf-8"', text.encode("utf-8"))
    if html is not None:
        body = _multipart("alternative", f"=_alt_{token}",
                          [body, _leaf('text/html; charset="utf-8"', html.encode("utf-8"))])  # fmt: skip
    if attachments:
        files = []
        for a in attachments:
            if not a.filename.isascii() or '"' in a.filename:
                raise ValueError(f"attachment name {a.filename!r}: use a plain ASCII file name")
            disposition = f'Content-Disposition: attachment; filename="{a.filename}"{CRLF}'
            files.append(_leaf(a.content_type, a.data, disposition))
        body = _multipart("mixed", f"=_mix_{token}", [body, *files])
    headers = [
        f"From: {_address(sender)}",
        f"To: {_address(recipient)}",
        f"Subject: {_encoded_words(subject)}",
        f"Date: {format_datetime(utcnow_from(date))}",
        f"Message-ID: {message_id}",
        "Auto-Submitted: auto-generated",  # RFC 3834: no vacation replies
        "MIME-Version: 1.0",
    ]
    return CRLF.join(headers) + CRLF + body


def compose(**kwargs) -> EmailMessage:
    """`render_message`'s message as an `EmailMessage` (same keyword arguments). Pure."""
    return from_text(render_message(**kwargs))


def from_text(text: str) -> EmailMessage:
    """Parse stored text into an EmailMessage (for reading: get_body, attachments)."""
    from email import message_from_string

    return message_from_string(text, policy=policy.default)  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class Outgoing:
    """What a mailer delivers: the envelope and the exact bytes."""

    message_id: str
    sender: str
    recipients: tuple[str, ...]
    data: bytes

    @classmethod
    def from_text(cls, text: str) -> Outgoing:
        """Envelope from the stored message's own headers (a cheap header-only parse)."""
        headers = HeaderParser(policy=policy.compat32).parsestr(text, headersonly=True)
        to = getaddresses(headers.get_all("To", []) + headers.get_all("Cc", []))
        return cls(
            message_id=str(headers.get("Message-ID", "")).strip(),
            sender=parseaddr(str(headers.get("From", "")))[1],
            recipients=tuple(a for _, a in to if a),
            data=text.replace(CRLF, "\n").replace("\n", CRLF).encode("ascii"),
        )


class Mailer(Protocol):
    """Delivers messages.

    `flush` makes everything sent so far durable; `already_sent` answers whether this very
    message was delivered before (True/False) or that the transport cannot tell (None);
    `can_confirm` says in advance which of the two it is."""

    can_confirm: bool

    @property
    def name(self) -> str: ...

    def send(self, message: Outgoing) -> None: ...

    def flush(self) -> None: ...

    def already_sent(self, message: Outgoing) -> bool | None: ...

    def close(self) -> None: ...


_REJECTED = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


@dataclass
class SmtpMailer:
    host: str
    port: int = 587
    security: SmtpSecurity = SmtpSecurity.starttls
    user: str | None = None
    password: str | None = None
    timeout: float = 30.0
    can_confirm = False  # SMTP cannot be asked what it received
    _conn: smtplib.SMTP | None = field(default=None, repr=False, compare=False)

    @property
    def name(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        if self.security == SmtpSecurity.ssl:
            conn: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=context
            )
        else:
            conn = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.security == SmtpSecurity.starttls:
                conn.starttls(context=context)
            if self.user:
                conn.login(self.user, self.password or "")
        except BaseException:
            conn.close()
            raise
        return conn

    def send(self, message: Outgoing) -> None:
        """Send over one connection kept open for the batch (reopened once if the server
        dropped it in between)."""
        for attempt in (1, 2):
            fresh = self._conn is None
            if fresh:
                self._conn = self._connect()
            try:
                self._conn.sendmail(message.sender, list(message.recipients), message.data)
                return
            except _REJECTED as exc:
                self._reset()
                raise MessageRejected(f"{self.name} refused {message.message_id}: {exc}") from exc
            except smtplib.SMTPServerDisconnected:
                self.close()
                if fresh or attempt == 2:
                    raise
            except BaseException:
                self.close()
                raise

    def _reset(self) -> None:
        try:
            if self._conn is not None:
                self._conn.rset()
        except (smtplib.SMTPException, OSError):
            self.close()

    def flush(self) -> None:
        """The server has each message once `send` returned."""

    def already_sent(self, message: Outgoing) -> bool | None:
        return None  # SMTP cannot be asked; see docs/reminders.md (at-least-once window)

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.quit()
            except (smtplib.SMTPException, OSError):
                conn.close()


def _file_name(message_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9._@-]", "_", message_id.strip("<> ")) + ".eml"


@dataclass
class OutboxMailer:
    """Writes `<message-id>.eml` files: each atomically (temporary file, rename), all of a
    batch made durable by one `flush` (a sync instead of an fsync per file, which is what
    made the outbox slow). Writing the same message again replaces its own file."""

    folder: Path
    can_confirm = True  # the file named after the Message-ID, with the same bytes, is proof
    _unsynced: list[Path] = field(default_factory=list, repr=False, compare=False)

    @property
    def name(self) -> str:
        return f"outbox:{self.folder}"

    def path_for(self, message_id: str) -> Path:
        return self.folder / _file_name(message_id)

    def send(self, message: Outgoing) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.path_for(message.message_id)
        tmp = target.with_name(f".tmp-{os.getpid()}-{target.name}")
        try:
            tmp.write_bytes(message.data)
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        self._unsynced.append(target)

    def flush(self) -> None:
        if not self._unsynced:
            return
        if hasattr(os, "sync"):
            os.sync()  # one system call for the batch (Linux waits for the writes)
        else:  # pragma: no cover - Windows
            for path in self._unsynced:
                with path.open("rb+") as fh:
                    os.fsync(fh.fileno())
        self._unsynced.clear()

    def already_sent(self, message: Outgoing) -> bool | None:
        path = self.path_for(message.message_id)
        try:
            return path.read_bytes() == message.data
        except FileNotFoundError:
            return False

    def close(self) -> None:
        self.flush()


def mailer_from_settings(settings: Settings) -> Mailer:
    """SMTP when a host is configured, the outbox folder otherwise."""
    if settings.smtp_host:
        return SmtpMailer(
            host=settings.smtp_host,
            port=settings.smtp_port,
            security=SmtpSecurity(settings.smtp_security),
            user=settings.smtp_user,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            timeout=float(settings.smtp_timeout_seconds),
        )
    return OutboxMailer(settings.outbox_dir)


@dataclass(frozen=True, slots=True)
class OutboxFile:
    path: Path
    size: int
    modified: datetime
    subject: str
    recipient: str
    message_id: str


def list_outbox(folder: Path, *, limit: int = 200) -> list[OutboxFile]:
    """The newest .eml files of the outbox with their headers (for the app)."""
    if not folder.is_dir():
        return []
    files = sorted(
        (p for p in folder.glob("*.eml") if not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )[:limit]
    parser = BytesHeaderParser(policy=policy.default)
    out = []
    for p in files:
        with p.open("rb") as fh:
            headers = parser.parse(fh)
        st = p.stat()
        out.append(
            OutboxFile(
                path=p,
                size=st.st_size,
                modified=datetime.fromtimestamp(st.st_mtime, tz=UTC),
                subject=str(headers.get("Subject", "")),
                recipient=str(headers.get("To", "")),
                message_id=str(headers.get("Message-ID", "")),
            )
        )
    return out
