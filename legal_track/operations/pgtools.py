"""Finding and running PostgreSQL's client tools (pg_dump, pg_restore).

The tools come from the system, not from Python: on PATH first, then the newest of
Debian's `/usr/lib/postgresql/<version>/bin`. pg_dump refuses a server newer than
itself, so the client must be at least the server's major version.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from sqlalchemy.engine import URL

from legal_track.operations.manifest import BackupError

DEBIAN_ROOT = Path("/usr/lib/postgresql")
INSTALL_HINT = (
    "install the PostgreSQL client tools of the server's major version or newer: "
    "apt-get install postgresql-client (Debian/Ubuntu; for a newer server, "
    "postgresql-client-16 from apt.postgresql.org), or put pg_dump on PATH"
)


def find_tool(name: str, *, debian_root: Path = DEBIAN_ROOT) -> str:
    """The path of `name` (pg_dump, pg_restore), or a BackupError naming the install."""
    found = shutil.which(name)
    if found:
        return found
    versions = []
    for candidate in debian_root.glob(f"*/bin/{name}"):
        major = candidate.parts[-3]
        if os.access(candidate, os.X_OK) and re.fullmatch(r"\d+(\.\d+)?", major):
            versions.append((float(major), candidate))
    if versions:
        return str(max(versions)[1])
    raise BackupError(f"`{name}` not found on PATH or in {debian_root}/*/bin: {INSTALL_HINT}")


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def conninfo(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection string for `url` and the environment that carries its password
    (never on the command line, where every local user could read it)."""
    params: dict[str, str] = {}
    if url.host:
        params["host"] = url.host
    if url.port:
        params["port"] = str(url.port)
    if url.username:
        params["user"] = url.username
    if url.database:
        params["dbname"] = url.database
    for key, value in url.query.items():
        params[key] = value[-1] if isinstance(value, tuple) else str(value)
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    return " ".join(f"{k}={_quote(v)}" for k, v in params.items()), env


def run_tool(args: list[str], *, env: dict[str, str], what: str) -> str:
    """Run a client tool; its stderr becomes the error message when it fails."""
    try:
        done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise BackupError(f"{what}: cannot run {args[0]}: {exc}") from None
    if done.returncode != 0:
        detail = " ".join(line.strip() for line in done.stderr.strip().splitlines()[:6])
        hint = f" ({INSTALL_HINT})" if "version mismatch" in detail else ""
        raise BackupError(f"{what} failed (exit {done.returncode}): {detail}{hint}")
    return done.stdout
