"""What every CLI command shares: the engine, the clock, errors, JSON output, progress."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import wraps
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from legal_track.config import get_settings
from legal_track.db import make_engine, migrate, session_scope

err_console = Console(stderr=True)
out_console = Console(highlight=False, soft_wrap=True)

CLI_ACTOR = "cli"


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
        except SQLAlchemyError as exc:
            detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            err_console.print(f"[bold red]database error:[/] {detail}", highlight=False)
            raise typer.Exit(1) from None

    return wrapper


_engine: Engine | None = None


def get_engine() -> Engine:
    """The engine for the configured database, migrated to the newest schema."""
    global _engine
    if _engine is None:
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
    with Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=False,
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update
