"""`create_backup`: the database, every evidence blob and the template files in one
archive with a manifest.

The database is copied first (a consistent snapshot, see `database`), then blobs and
templates are added, each hashed as it is written; the manifest goes last. The archive
is written to a temporary file beside `out` and renamed into place, so `out` is either
the previous file or a complete new archive. Evidence blobs are immutable and named by
their hash, so a blob added to the store while the backup runs is at worst missing from
it (its register row is not in the snapshot either: the database is copied first).
"""

from __future__ import annotations

import io
import os
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from legal_track import __version__
from legal_track.config import Settings
from legal_track.db import utcnow_from
from legal_track.evidence.store import TEMP_PREFIX, EvidenceStore
from legal_track.operations.database import snapshot
from legal_track.operations.manifest import (
    MANIFEST,
    FileEntry,
    HashingReader,
    Manifest,
    blob_member,
)
from legal_track.operations.revisions import audit_if_current

Progress = Callable[[int, int], None] | None


@dataclass(slots=True)
class BackupReport:
    archive: Path
    sha256: str  # of the archive file itself
    size: int
    manifest: Manifest
    # blobs whose content no longer matches their name (backed up as they are; see
    # `legal-track evidence verify`)
    altered_blobs: list[str] = field(default_factory=list)
    audited: bool = True


def _template_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith(TEMP_PREFIX))


def _add(
    tar: tarfile.TarFile, name: str, path: Path, *, mtime: float, mode: int
) -> tuple[str, int]:
    info = tarfile.TarInfo(name)
    info.size = path.stat().st_size
    info.mtime = mtime
    info.mode = mode
    with path.open("rb") as fh:
        reader = HashingReader(fh)
        tar.addfile(info, reader)  # type: ignore[arg-type]  # has read()
    return reader.hexdigest(), reader.size


def _mode(out: Path) -> str:
    return "w:gz" if out.name.endswith((".gz", ".tgz")) else "w"


def create_backup(
    *,
    engine: Engine,
    settings: Settings,
    out: Path,
    now: datetime,
    actor: str,
    progress: Progress = None,
) -> BackupReport:
    """Write a backup archive of the installation to `out` (replaced atomically)."""
    now = utcnow_from(now)
    store = EvidenceStore(settings.evidence_dir)
    blobs = list(store.iter_blobs())
    templates = _template_files(settings.templates_dir)
    total = 1 + len(blobs) + len(templates)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=out.suffix, dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    altered: list[str] = []
    try:
        with tempfile.TemporaryDirectory(prefix="legal-track-backup-") as work:
            snap = snapshot(engine, dest_dir=Path(work))
            manifest = Manifest(
                created_at=now.isoformat(), tool_version=__version__,
                alembic_revision=snap.revision, database_kind=snap.kind,
                database_schema=snap.schema, row_counts=snap.row_counts,
            )  # fmt: skip
            stamp = now.timestamp()
            with tarfile.open(tmp, _mode(out), format=tarfile.PAX_FORMAT) as tar:
                for done, path in enumerate(blobs, start=1):
                    name = blob_member(path.name)
                    sha, size = _add(tar, name, path, mtime=stamp, mode=0o444)
                    if sha != path.name:
                        altered.append(path.name)
                    manifest.files.append(FileEntry(name, sha, size, "evidence"))
                    if progress:
                        progress(done, total)
                for done, path in enumerate(templates, start=len(blobs) + 1):
                    rel = path.relative_to(settings.templates_dir).as_posix()
                    name = f"templates/{rel}"
                    sha, size = _add(tar, name, path, mtime=stamp, mode=0o644)
                    manifest.files.append(FileEntry(name, sha, size, "template"))
                    if progress:
                        progress(done, total)
                member = manifest.database_member
                sha, size = _add(tar, member, snap.path, mtime=stamp, mode=0o600)
                manifest.files.append(FileEntry(member, sha, size, "database"))
                body = manifest.to_json()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(body), stamp, 0o644
                tar.addfile(info, io.BytesIO(body))
        with tmp.open("rb") as fh:
            reader = HashingReader(fh)
            while reader.read(1024 * 1024):
                pass
            os.fsync(fh.fileno())
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    if progress:
        progress(total, total)
    report = BackupReport(out, reader.hexdigest(), reader.size, manifest, altered)
    report.audited = audit_if_current(
        engine, actor=actor, action="backup.created", now=now,
        detail={"archive": out.name, "sha256": report.sha256, "size": report.size,
                "database": manifest.database_kind, "revision": manifest.alembic_revision,
                "evidence_blobs": len(blobs), "template_files": len(templates),
                "altered_blobs": altered},
    )  # fmt: skip
    return report
