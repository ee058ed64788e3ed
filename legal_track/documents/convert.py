"""LibreOffice .docx -> .pdf, optional.

Two LibreOffice processes sharing one user profile break each other (the second
exits with status 1 and writes nothing), so every conversion holds an exclusive
lock on its own profile folder (`slotN` under `<output_dir>/.libreoffice/`). Batch
workers each take a free slot; a single conversion takes the first free one. A
profile is created on first use and reused afterwards (start-up is faster).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from legal_track.documents.errors import ConversionFailed, ConversionUnavailable

if TYPE_CHECKING:  # settings (pydantic-settings) stay out of the batch workers' imports
    from legal_track.config import Settings

INSTALL_HINT = (
    "install LibreOffice (Debian/Ubuntu: apt-get install --no-install-recommends "
    "libreoffice-writer-nogui fonts-noto-cjk) or set LEGAL_TRACK_SOFFICE_PATH"
)
SLOTS = 8
TIMEOUT_BASE = 120.0  # seconds for start-up
TIMEOUT_PER_FILE = 20.0


def find_soffice(settings: Settings) -> Path | None:
    """The LibreOffice binary, or None when it is not installed."""
    if settings.soffice_path is not None:
        return settings.soffice_path if settings.soffice_path.exists() else None
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def require_soffice(settings: Settings) -> Path:
    found = find_soffice(settings)
    if found is None:
        raise ConversionUnavailable(f"PDF needs LibreOffice, which is not installed: {INSTALL_HINT}; "
                                    "the .docx can be generated without it")  # fmt: skip
    return found


def profiles_root(settings: Settings) -> Path:
    return settings.output_dir / ".libreoffice"


@contextmanager
def profile_slot(root: Path) -> Iterator[Path]:
    """An exclusively locked LibreOffice profile folder under `root`."""
    root.mkdir(parents=True, exist_ok=True)
    handles = []
    try:
        for n in range(SLOTS):
            slot = root / f"slot{n}"
            slot.mkdir(exist_ok=True)
            handle = open(slot / ".lock", "w")  # noqa: SIM115 - held for the whole block
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                continue
            handles.append(handle)
            yield slot
            return
        slot = root / "slot0"  # every slot busy: wait for the first
        handle = open(slot / ".lock", "w")  # noqa: SIM115
        fcntl.flock(handle, fcntl.LOCK_EX)
        handles.append(handle)
        yield slot
    finally:
        for handle in handles:
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()


def convert_files(
    docx_files: list[Path], outdir: Path, *, soffice: Path, profile: Path
) -> list[Path]:
    """Convert in one LibreOffice run (the caller holds `profile`); PDFs land in `outdir`."""
    if not docx_files:
        return []
    outdir.mkdir(parents=True, exist_ok=True)
    user = (profile / "user-installation").resolve()
    cmd = [
        str(soffice), "--headless", "--norestore", "--nolockcheck", "--nologo", "--nodefault",
        f"-env:UserInstallation={user.as_uri()}", "--convert-to", "pdf:writer_pdf_Export",
        "--outdir", str(outdir), *[str(p) for p in docx_files],
    ]  # fmt: skip
    env = dict(os.environ, HOME=str(profile.resolve()))
    timeout = TIMEOUT_BASE + TIMEOUT_PER_FILE * len(docx_files)
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=timeout, env=env, check=False)
    except subprocess.TimeoutExpired:
        raise ConversionFailed(f"LibreOffice did not finish converting {len(docx_files)} file(s) "
                               f"within {timeout:.0f} s") from None  # fmt: skip
    pdfs = [outdir / (p.stem + ".pdf") for p in docx_files]
    missing = [p.name for p, pdf in zip(docx_files, pdfs, strict=True) if not pdf.exists()]
    if missing:
        detail = (done.stderr or done.stdout or b"").decode("utf-8", "replace").strip()[-300:]
        raise ConversionFailed(f"LibreOffice (exit {done.returncode}) produced no PDF for "
                               f"{', '.join(missing)}: {detail or 'no message'}")  # fmt: skip
    return pdfs


def docx_to_pdf(docx: Path, outdir: Path, *, settings: Settings) -> Path:
    """One document to PDF, in its own locked profile."""
    soffice = require_soffice(settings)
    with profile_slot(profiles_root(settings)) as profile:
        return convert_files([docx], outdir, soffice=soffice, profile=profile)[0]
