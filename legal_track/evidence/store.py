"""The content-addressed evidence store: ``<root>/ab/cd/<sha256>``.

The same bytes are stored once. A blob is written to a temporary file in its final
folder, fsynced, then linked into place (``os.link`` refuses to replace an existing
file; ``os.replace`` is the fallback on file systems without hard links) and the
folder is fsynced, so a crash leaves either no blob or a complete one. A stored blob
is never overwritten and is made read-only.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

CHUNK = 1024 * 1024
_SHA_RE = re.compile(r"^[0-9a-f]{64}$")
TEMP_PREFIX = ".tmp-"


class StoreError(ValueError):
    """The store cannot give back what it was asked for (missing or altered blob)."""


class BlobState(StrEnum):
    ok = "ok"
    missing = "missing"
    mismatch = "mismatch"


@dataclass(frozen=True, slots=True)
class StoredBlob:
    sha256: str
    size: int
    path: Path
    created: bool  # False when the same bytes were already stored


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def sanitize_name(name: str, *, max_length: int = 255) -> str:
    """A display name from an uploaded file name: no folders, no control characters.

    The result is only ever shown and printed; the store never uses it as a path.
    """
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = name.strip().lstrip(".").strip()
    if not name:
        return "unnamed"
    if len(name) > max_length:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: max_length - len(ext) - 1] + "." + ext
        else:
            name = name[:max_length]
    return name


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory handles
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class EvidenceStore:
    """A folder of blobs named by their SHA-256."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_for(self, sha256: str) -> Path:
        if not _SHA_RE.match(sha256):
            raise StoreError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def has(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def put(self, data: bytes) -> StoredBlob:
        """Store `data` (once) and return where it lives."""
        sha = sha256_bytes(data)
        final = self.path_for(sha)
        if final.exists():
            return StoredBlob(sha, len(data), final, created=False)
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=final.parent)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o444)
            created = self._publish(tmp, final)
            _fsync_dir(final.parent)
        finally:
            tmp.unlink(missing_ok=True)
        return StoredBlob(sha, len(data), final, created=created)

    @staticmethod
    def _publish(tmp: Path, final: Path) -> bool:
        try:
            os.link(tmp, final)
        except FileExistsError:
            return False  # stored meanwhile by another writer: same bytes, keep theirs
        except OSError:
            if final.exists():
                return False
            os.replace(tmp, final)
        return True

    def read_bytes(self, sha256: str) -> bytes:
        """The blob's bytes, checked against its name."""
        path = self.path_for(sha256)
        if not path.is_file():
            raise StoreError(f"evidence blob {sha256} is missing from the store ({path})")
        data = path.read_bytes()
        if sha256_bytes(data) != sha256:
            raise StoreError(f"evidence blob {sha256} has been altered ({path})")
        return data

    def check(self, sha256: str) -> BlobState:
        path = self.path_for(sha256)
        if not path.is_file():
            return BlobState.missing
        return BlobState.ok if sha256_file(path) == sha256 else BlobState.mismatch

    def export_to(self, sha256: str, dest: Path) -> Path:
        """Copy a blob to `dest` (atomically), checking its hash on the way."""
        src = self.path_for(sha256)
        if not src.is_file():
            raise StoreError(f"evidence blob {sha256} is missing from the store ({src})")
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=dest.parent)
        tmp = Path(tmp_name)
        try:
            digest = hashlib.sha256()
            with src.open("rb") as fin, os.fdopen(fd, "wb") as fout:
                while chunk := fin.read(CHUNK):
                    digest.update(chunk)
                    fout.write(chunk)
            if digest.hexdigest() != sha256:
                raise StoreError(f"evidence blob {sha256} has been altered ({src})")
            os.replace(tmp, dest)
        finally:
            tmp.unlink(missing_ok=True)
        return dest

    def iter_blobs(self) -> Iterator[Path]:
        if not self.root.is_dir():
            return
        for path in sorted(self.root.glob("??/??/*")):
            if path.is_file() and not path.name.startswith(TEMP_PREFIX):
                yield path

    def temp_files(self) -> list[Path]:
        """Leftover temporary files (none after a clean write)."""
        if not self.root.is_dir():
            return []
        return sorted(self.root.rglob(TEMP_PREFIX + "*"))
