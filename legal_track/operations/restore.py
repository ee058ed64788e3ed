"""`restore_backup`: put an archive back into the configured installation.

In this order, so that a refusal or a damaged archive changes nothing:

1. the archive's database kind (and PostgreSQL schema) must match the target's, and its
   revision must be one this legal-track knows (a backup of a newer version is refused);
2. the target must be empty (no loans, borrowers, cases, evidence items, no blob in the
   store) unless `force`; a database that only ran `legal-track init` counts as empty;
3. every member is read and checked against the manifest (SHA-256 and size; nothing
   missing, nothing extra), naming the first bad member;
4. blobs and template files are written (each re-hashed on the way, published by
   rename); the database dump is staged in a temporary folder;
5. the database is replaced (SQLite backup API / pg_restore in one transaction), its row
   counts compared with the manifest's, then migrated forward and the restore audited.

Blobs already in the store with the right content are kept; blobs of the target that the
backup does not have stay as orphans (`legal-track evidence verify` lists them).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO

from sqlalchemy.engine import Engine

from legal_track.config import Settings
from legal_track.db import migrate, utcnow_from
from legal_track.evidence.store import TEMP_PREFIX, EvidenceStore, sha256_file
from legal_track.operations.database import (
    DUMP_NAMES,
    database_kind,
    load,
    row_counts,
    target_state,
)
from legal_track.operations.manifest import (
    ArchiveDamaged,
    BackupError,
    FileEntry,
    Manifest,
    copy_hashed,
    iter_members,
    member_kind,
    read_manifest,
    template_relpath,
    verify_archive,
)
from legal_track.operations.revisions import audit_if_current, database_heads, known_revisions

Progress = Callable[[int, int], None] | None


class TargetNotEmpty(BackupError):
    """The installation to restore into holds data; `force` replaces it."""


@dataclass(slots=True)
class RestoreReport:
    archive: Path
    manifest: Manifest
    blobs_written: int = 0
    blobs_present: int = 0  # already in the store with the right content
    template_files: int = 0
    row_counts: dict[str, int] = field(default_factory=dict)  # as restored, before migrating
    count_mismatches: dict[str, tuple[int, int | None]] = field(default_factory=dict)
    dropped_tables: list[str] = field(default_factory=list)
    revision: list[str] = field(default_factory=list)  # after migrating forward
    replaced: dict[str, int] = field(default_factory=dict)  # what the target held (force)

    @property
    def ok(self) -> bool:
        return not self.count_mismatches


def _write_checked(src: IO[bytes], final: Path, entry: FileEntry, *, archive: Path,
                   mode: int) -> None:  # fmt: skip
    """Copy a member to `final` through a synced temporary file, publishing it only when
    its SHA-256 is the manifest's."""
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=final.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            sha, _size = copy_hashed(src, fh)
            fh.flush()
            os.fsync(fh.fileno())
        if sha != entry.sha256:
            raise ArchiveDamaged(archive, entry.name, "changed while it was being restored")
        os.chmod(tmp, mode)
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)


def _precheck(engine: Engine, settings: Settings, archive: Path, force: bool) -> tuple[Manifest, dict[str, int]]:  # fmt: skip
    manifest = read_manifest(archive)
    kind = database_kind(engine)
    if manifest.database_kind != kind:
        raise BackupError(
            f"{archive} holds a {manifest.database_kind} database but the configured database "
            f"(LEGAL_TRACK_DATABASE_URL) is {kind}: restore into the same kind of database"
        )
    unknown = sorted(set(manifest.alembic_revision) - known_revisions(engine))
    if unknown:
        raise BackupError(
            f"{archive} was made by a newer legal-track (tool {manifest.tool_version}, "
            f"database revision {', '.join(unknown)} unknown here): upgrade legal-track first"
        )
    state = target_state(engine)
    if kind == "postgresql" and state.schema != manifest.database_schema:
        raise BackupError(
            f"{archive} holds schema {manifest.database_schema!r} but the target database uses "
            f"schema {state.schema!r}: set the search_path of LEGAL_TRACK_DATABASE_URL to it"
        )
    held = dict(state.data_rows)
    if next(EvidenceStore(settings.evidence_dir).iter_blobs(), None) is not None:
        held["evidence blobs"] = sum(1 for _ in EvidenceStore(settings.evidence_dir).iter_blobs())
    if held and not force:
        what = ", ".join(f"{n} {t}" for t, n in held.items())
        raise TargetNotEmpty(
            f"the target installation is not empty ({what}); restoring replaces it: "
            f"run again with --force to do so"
        )
    return manifest, held


def restore_backup(
    *,
    engine: Engine,
    settings: Settings,
    archive: Path,
    now: datetime,
    actor: str,
    force: bool = False,
    progress: Progress = None,
) -> RestoreReport:
    """Restore `archive` into the configured database and evidence store (see the module
    docstring for the order of the steps)."""
    now = utcnow_from(now)
    archive = Path(archive)
    first, held = _precheck(engine, settings, archive, force)
    members = len(first.files) + 1
    total = 2 * members + 1

    def tick(done: int) -> None:
        if progress:
            progress(done, total)

    manifest = verify_archive(archive, progress=tick)
    report = RestoreReport(archive, manifest, replaced=held)
    expected = manifest.by_name()
    store = EvidenceStore(settings.evidence_dir)
    kind = manifest.database_kind
    with tempfile.TemporaryDirectory(prefix="legal-track-restore-") as work:
        staged = Path(work) / DUMP_NAMES[kind]
        for done, (info, opener) in enumerate(iter_members(archive), start=members + 1):
            what = member_kind(info.name)
            entry = expected.get(info.name)
            if what == "manifest" or entry is None:
                tick(done)
                continue
            if what == "database":
                with staged.open("wb") as fh:
                    sha, _size = copy_hashed(opener(), fh)
                if sha != entry.sha256:
                    raise ArchiveDamaged(archive, info.name, "changed while it was being restored")
            elif what == "evidence":
                final = store.path_for(info.name.rsplit("/", 1)[1])
                if final.is_file() and sha256_file(final) == entry.sha256:
                    report.blobs_present += 1
                else:
                    _write_checked(opener(), final, entry, archive=archive, mode=0o444)
                    report.blobs_written += 1
            elif what == "template":
                final = settings.templates_dir / template_relpath(info.name)
                _write_checked(opener(), final, entry, archive=archive, mode=0o644)
                report.template_files += 1
            tick(done)
        report.dropped_tables = load(
            engine, kind=kind, staged=staged, schema=manifest.database_schema,
            backup_tables=set(manifest.row_counts),
        )  # fmt: skip
    _revision, report.row_counts = row_counts(engine)
    for table, n in manifest.row_counts.items():
        if report.row_counts.get(table) != n:
            report.count_mismatches[table] = (n, report.row_counts.get(table))
    migrate(engine)
    report.revision = database_heads(engine)
    tick(total)
    audit_if_current(
        engine, actor=actor, action="backup.restored", now=now,
        detail={"archive": archive.name, "created_at": manifest.created_at,
                "tool_version": manifest.tool_version, "database": kind,
                "from_revision": manifest.alembic_revision, "to_revision": report.revision,
                "blobs_written": report.blobs_written, "blobs_present": report.blobs_present,
                "replaced": held, "count_mismatches": sorted(report.count_mismatches)},
    )  # fmt: skip
    return report
