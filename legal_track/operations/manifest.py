"""The backup archive: its member names, its manifest, and reading it back with every
member checked against the manifest.

An archive is a tar file (gzip-compressed when its name ends in .gz or .tgz):

```
evidence/ab/cd/<sha256>       every blob of the evidence store
templates/<id>/<version>/...  every file of the template registry folder
database/legal_track.sqlite3  (SQLite) or database/legal_track.pgdump (PostgreSQL)
manifest.json                 last: what the archive holds, with SHA-256 and size
```

Members are never extracted by name: `restore` maps each one to its destination
itself, so a crafted name (`../x`, an absolute path, a link) cannot write outside it.
"""

from __future__ import annotations

import hashlib
import json
import re
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

FORMAT = "legal-track-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MANIFEST_MAX_BYTES = 64 * 1024 * 1024
CHUNK = 1024 * 1024
DATABASE_MEMBERS = {"sqlite": "database/legal_track.sqlite3", "postgresql": "database/legal_track.pgdump"}  # fmt: skip
_BLOB = re.compile(r"^evidence/([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{64})$")


class BackupError(ValueError):
    """A backup or restore that cannot go ahead, with a message a user can act on."""


class ArchiveDamaged(BackupError):
    """The archive does not match its manifest; `member` names the first bad member."""

    def __init__(self, archive: Path, member: str, reason: str) -> None:
        self.member = member
        super().__init__(f"{archive}: member {member}: {reason}; nothing was restored")


@dataclass(frozen=True, slots=True)
class FileEntry:
    name: str  # member name in the archive
    sha256: str
    size: int
    kind: str  # database | evidence | template


@dataclass(slots=True)
class Manifest:
    created_at: str  # ISO 8601, UTC
    tool_version: str
    alembic_revision: list[str]  # the database's revision(s); several when branches exist
    database_kind: str  # sqlite | postgresql
    database_schema: str | None  # PostgreSQL: the schema dumped
    row_counts: dict[str, int]  # every table of the database (schema), at the dump
    files: list[FileEntry] = field(default_factory=list)

    @property
    def database_member(self) -> str:
        return DATABASE_MEMBERS[self.database_kind]

    def by_name(self) -> dict[str, FileEntry]:
        return {f.name: f for f in self.files}

    def to_json(self) -> bytes:
        body = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": self.created_at,
            "tool_version": self.tool_version,
            "alembic_revision": self.alembic_revision,
            "database": {
                "kind": self.database_kind,
                "schema": self.database_schema,
                "member": self.database_member,
            },
            "row_counts": self.row_counts,
            "totals": {
                "evidence_blobs": sum(1 for f in self.files if f.kind == "evidence"),
                "template_files": sum(1 for f in self.files if f.kind == "template"),
                "bytes": sum(f.size for f in self.files),
            },
            "files": [asdict(f) for f in self.files],
        }
        return json.dumps(body, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"

    @classmethod
    def from_json(cls, data: bytes, *, archive: Path) -> Manifest:
        try:
            body = json.loads(data.decode("utf-8"))
            if body.get("format") != FORMAT:
                raise ValueError("not a legal-track backup manifest")
            if body.get("format_version") != FORMAT_VERSION:
                raise ValueError(
                    f"format version {body.get('format_version')!r} (this legal-track reads "
                    f"{FORMAT_VERSION})"
                )
            db = body["database"]
            if db["kind"] not in DATABASE_MEMBERS:
                raise ValueError(f"unknown database kind {db['kind']!r}")
            files = [
                FileEntry(str(f["name"]), str(f["sha256"]), int(f["size"]), str(f["kind"]))
                for f in body["files"]
            ]
            return cls(
                created_at=str(body["created_at"]),
                tool_version=str(body["tool_version"]),
                alembic_revision=[str(r) for r in body["alembic_revision"]],
                database_kind=db["kind"],
                database_schema=db.get("schema"),
                row_counts={str(k): int(v) for k, v in body["row_counts"].items()},
                files=files,
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ArchiveDamaged(archive, MANIFEST, f"unreadable manifest ({exc})") from None


def blob_member(sha256: str) -> str:
    return f"evidence/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def member_kind(name: str) -> str | None:
    """database, evidence, template, manifest; None for a name no backup writes."""
    if name == MANIFEST:
        return "manifest"
    if name in DATABASE_MEMBERS.values():
        return "database"
    if m := _BLOB.match(name):
        return "evidence" if m.group(3).startswith(m.group(1) + m.group(2)) else None
    if name.startswith("templates/"):
        parts = PurePosixPath(name).parts[1:]
        ok = parts and all(p not in ("", ".", "..") and "\\" not in p for p in parts)
        return "template" if ok else None
    return None


def template_relpath(name: str) -> Path:
    return Path(*PurePosixPath(name).parts[1:])


class HashingReader:
    """A file wrapper that hashes what is read through it (tarfile reads members so)."""

    def __init__(self, fh: IO[bytes]) -> None:
        self._fh = fh
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, n: int = -1) -> bytes:
        data = self._fh.read(n)
        self.digest.update(data)
        self.size += len(data)
        return data

    def hexdigest(self) -> str:
        return self.digest.hexdigest()


def copy_hashed(src: IO[bytes], dest: IO[bytes] | None) -> tuple[str, int]:
    """Copy `src` to `dest` (or just read it), returning its SHA-256 and size."""
    digest, size = hashlib.sha256(), 0
    while chunk := src.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if dest is not None:
            dest.write(chunk)
    return digest.hexdigest(), size


def _open(archive: Path) -> tarfile.TarFile:
    if not archive.is_file():
        raise BackupError(f"{archive}: no such file")
    try:
        return tarfile.open(archive, "r:*")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(
            f"{archive}: not a backup archive (not a readable tar file: {exc})"
        ) from None


def iter_members(
    archive: Path,
) -> Iterator[tuple[tarfile.TarInfo, Callable[[], IO[bytes]]]]:
    """Each member with an opener of its data, in archive order. A member that is not a
    regular file, a name no backup writes or a name that occurs twice is refused; a
    truncated or corrupt archive names the member it broke in."""
    seen: set[str] = set()
    last = "(start of archive)"
    with _open(archive) as tar:
        try:
            for info in tar:
                name = info.name
                if name in seen:
                    raise ArchiveDamaged(archive, name, "appears twice")
                seen.add(name)
                if not info.isfile():
                    raise ArchiveDamaged(archive, name, "is not a regular file")
                if member_kind(name) is None:
                    raise ArchiveDamaged(archive, name, "is not a member a backup writes")
                last = name

                def opener(info: tarfile.TarInfo = info) -> IO[bytes]:
                    fh = tar.extractfile(info)
                    assert fh is not None  # regular file
                    return fh

                yield info, opener
        except (tarfile.TarError, EOFError, OSError) as exc:
            raise ArchiveDamaged(archive, last, f"archive is damaged after it ({exc})") from None


def read_manifest(archive: Path) -> Manifest:
    """The manifest of `archive` (without checking the other members)."""
    for info, opener in iter_members(archive):
        if info.name == MANIFEST:
            if info.size > MANIFEST_MAX_BYTES:
                raise ArchiveDamaged(archive, MANIFEST, "is implausibly large")
            return Manifest.from_json(opener().read(), archive=archive)
    raise BackupError(f"{archive}: not a legal-track backup (no {MANIFEST})")


def verify_archive(archive: Path, *, progress: Callable[[int], None] | None = None) -> Manifest:
    """Read every member, hash it and compare with the manifest: a member missing, extra,
    of another size or another SHA-256 raises `ArchiveDamaged` naming it."""
    found: dict[str, tuple[str, int]] = {}
    manifest_bytes: bytes | None = None
    for done, (info, opener) in enumerate(iter_members(archive), start=1):
        fh = opener()
        if info.name == MANIFEST:
            if info.size > MANIFEST_MAX_BYTES:
                raise ArchiveDamaged(archive, MANIFEST, "is implausibly large")
            manifest_bytes = fh.read()
        else:
            try:
                found[info.name] = copy_hashed(fh, None)
            except (tarfile.TarError, EOFError, OSError) as exc:
                raise ArchiveDamaged(archive, info.name, f"cannot be read ({exc})") from None
        if progress:
            progress(done)
    if manifest_bytes is None:
        raise BackupError(f"{archive}: not a legal-track backup (no {MANIFEST})")
    manifest = Manifest.from_json(manifest_bytes, archive=archive)
    expected = manifest.by_name()
    if manifest.database_member not in expected:
        raise ArchiveDamaged(archive, manifest.database_member, "is not listed in the manifest")
    for name, entry in expected.items():
        if member_kind(name) != entry.kind:
            raise ArchiveDamaged(archive, name, "has a name that does not fit its kind")
        if name not in found:
            raise ArchiveDamaged(archive, name, "is listed in the manifest but missing")
        sha, size = found[name]
        if size != entry.size:
            raise ArchiveDamaged(archive, name, f"has {size} bytes, the manifest says {entry.size}")
        if sha != entry.sha256:
            raise ArchiveDamaged(
                archive, name, f"SHA-256 {sha} differs from the manifest's {entry.sha256}"
            )
    for name in found:
        if name not in expected:
            raise ArchiveDamaged(archive, name, "is not listed in the manifest")
    return manifest


def manifest_summary(manifest: Manifest) -> dict[str, Any]:
    """What a person wants to see of a backup, for the CLI and the reports."""
    return {
        "created_at": manifest.created_at,
        "tool_version": manifest.tool_version,
        "alembic_revision": manifest.alembic_revision,
        "database": manifest.database_kind,
        "schema": manifest.database_schema,
        "evidence_blobs": sum(1 for f in manifest.files if f.kind == "evidence"),
        "template_files": sum(1 for f in manifest.files if f.kind == "template"),
        "bytes": sum(f.size for f in manifest.files),
    }
