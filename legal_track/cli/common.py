"""What every CLI command shares: the engine, the clock, errors, JSON output, progress,
finding a case or a loan, and reading a date option.

Kept light on purpose: `legal-track --help` and `legal-track COMMAND --help` import this
module and typer only. The database, the services and rich are imported by the command
that uses them (see bench/cli.py for the measured start time)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from rich.console import Console
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

    from legal_track.models import Case, Loan, User


class _LazyConsole:
    """A rich Console made on first use: importing rich costs more than a `--help`."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    def real(self) -> Console:
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real(), name)


err_console: Console = _LazyConsole(stderr=True)  # type: ignore[assignment]
out_console: Console = _LazyConsole(highlight=False, soft_wrap=True)  # type: ignore[assignment]

CLI_ACTOR = "cli"


def command_group(help: str, **options: Any) -> typer.Typer:
    """A command group with plain help output: rich help formatting alone costs three
    times the start-up of the whole command (measured in bench/cli.py)."""
    options.setdefault("no_args_is_help", True)
    return typer.Typer(help=help, rich_markup_mode=None, add_completion=False, **options)


class CliError(Exception):
    """An error to show the user as one line, exit status 1."""


def clock() -> datetime:
    """The CLI is the edge of the system: the only place that reads the wall clock."""
    return datetime.now(UTC)


def handle_errors(func: Callable) -> Callable:
    """Turn domain errors into a clear message and exit status 1, never a traceback."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except (CliError, ValueError, LookupError, OSError) as exc:
            err_console.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True)
            raise typer.Exit(1) from None
        except Exception as exc:
            from sqlalchemy.exc import SQLAlchemyError

            if not isinstance(exc, SQLAlchemyError):
                raise
            detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            err_console.print(f"[bold red]database error:[/] {detail}", highlight=False)
            raise typer.Exit(1) from None

    return wrapper


_engine: Engine | None = None


def get_engine() -> Engine:
    """The engine for the configured database, migrated to the newest schema."""
    global _engine
    if _engine is None:
        from legal_track.config import get_settings
        from legal_track.db import make_engine, migrate

        _engine = make_engine(get_settings().database_url)
        migrate(_engine)
    return _engine


def reset_engine() -> None:
    """Forget the cached engine (tests switch databases between invocations)."""
    global _engine
    if _engine is not None:
        _engine.dispose()
    _engine = None


@contextmanager
def session() -> Iterator[Session]:
    from legal_track.db import session_scope

    with session_scope(get_engine()) as s:
        yield s


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "model_dump"):
        return value.model_dump()
    if hasattr(value, "__dataclass_fields__"):
        import dataclasses

        return dataclasses.asdict(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=_default) + "\n")


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress callback `(done, total)` drawing a bar on stderr."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console.real(),
        transient=False,
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def local_today() -> date:
    """Today in the configured time zone (the default of every `--today`/`--on` option)."""
    from zoneinfo import ZoneInfo

    from legal_track.config import get_settings

    return clock().astimezone(ZoneInfo(get_settings().timezone)).date()


def parse_day(value: str | None, option: str, *, default_today: bool = False) -> date | None:
    """A YYYY-MM-DD option value; absent: today (`default_today`) or None."""
    if value is None:
        return local_today() if default_today else None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise CliError(f"{option}: {value!r} is not a date (YYYY-MM-DD)") from None


def find_case(s: Session, ref: str) -> Case:
    """The case with reference `ref` (LT-YYYY-NNNNNN), or a clear error."""
    from legal_track.cases.listing import case_id_for_ref
    from legal_track.models import Case

    case_id = case_id_for_ref(s, ref.strip())
    case = s.get(Case, case_id) if case_id is not None else None
    if case is None:
        raise CliError(f"no case with reference {ref!r}")
    return case


def active_user(s: Session, username: str) -> User:
    """The active account `username` (the `--by` of a decision), or a clear error."""
    from legal_track.auth import user_by_username

    user = user_by_username(s, username)
    if user is None or not user.active:
        raise CliError(f"no active user named {username!r} (--by)")
    return user


def find_loan(s: Session, contract_no: str) -> Loan:
    """The loan with contract number `contract_no`, or a clear error."""
    from legal_track.cases.listing import loan_id_for_contract
    from legal_track.models import Loan

    loan_id = loan_id_for_contract(s, contract_no.strip())
    loan = s.get(Loan, loan_id) if loan_id is not None else None
    if loan is None:
        raise CliError(f"no loan with contract number {contract_no!r}")
    return loan
