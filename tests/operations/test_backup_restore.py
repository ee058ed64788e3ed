"""`legal-track backup` and `restore` end to end, on SQLite and on PostgreSQL: a small
installation (init, demo, one more evidence file) is backed up and restored into an
empty one (another database, another evidence store); a damaged archive is refused
naming its member and changes nothing."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from pathlib import Path

import pytest

from legal_track.operations.manifest import MANIFEST, ArchiveDamaged, BackupError, verify_archive
from tests.operations.conftest import Installation, invoke, sqlite_pair, table_counts

# tables the restore itself writes to (its audit entry)
AUDIT = {"auditentry", "auditchain"}


def build(inst: Installation) -> str:
    """init + demo (5 cases) + one evidence file added by the CLI; its SHA-256."""
    for args in (("init",), ("demo", "--cases", "5", "--as-of", "2026-11-29")):
        out = invoke(*args)
        assert out.exit_code == 0, out.output
    note = inst.root / "payments.csv"
    note.write_text("date,amount\n2026-01-05,100.00\n2026-02-05,80.00\n", encoding="utf-8")
    out = invoke("evidence", "add", str(note), "--case", "LT-2026-000001", "--category",
                 "repayment_record", "--purpose", "还款记录", "--json")  # fmt: skip
    assert out.exit_code == 0, out.output
    added = json.loads(out.stdout)["added"]
    assert len(added) == 1, out.output
    out = invoke("templates", "list")  # registers the shipped templates (files + rows)
    assert out.exit_code == 0, out.output
    return added[0]["sha256"]


def tamper(archive: Path, member: str, dest: Path) -> Path:
    """A copy of `archive` with one byte of `member`'s data flipped (inside the gzip
    stream for a .tar.gz, which is then compressed again: the tar itself is damaged)."""
    raw = archive.read_bytes()
    zipped = raw[:2] == b"\x1f\x8b"
    data = bytearray(gzip.decompress(raw) if zipped else raw)
    with tarfile.open(archive) as tar:
        offset = tar.getmember(member).offset_data
    data[offset] ^= 0xFF
    dest.write_bytes(gzip.compress(bytes(data)) if zipped else bytes(data))
    return dest


def said(result) -> str:
    """The output with rich's line wrapping undone."""
    return " ".join(result.output.split())


def blobs(store: Path) -> list[str]:
    return sorted(p.name for p in store.glob("??/??/*") if p.is_file())


def roundtrip(source: Installation, target: Installation, use, tmp_path: Path, suffix: str):
    use(source)
    added_sha = build(source)
    before = table_counts(source.url)
    archive = tmp_path / f"backup{suffix}"
    out = invoke("backup", "--out", str(archive), "--json")
    assert out.exit_code == 0, out.output
    made = json.loads(out.stdout)
    assert made["row_counts"] == before, "the manifest counts the rows the database had"
    assert made["evidence_blobs"] == len(blobs(source.store)) >= 2
    assert made["template_files"] > 0 and made["audited"] is True

    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile(MANIFEST).read())
    assert names[-1] == MANIFEST
    assert f"evidence/{added_sha[:2]}/{added_sha[2:4]}/{added_sha}" in names
    assert manifest["tool_version"] and manifest["alembic_revision"]
    assert manifest["created_at"].endswith("+00:00")
    db_member = manifest["database"]["member"]
    assert {f["name"] for f in manifest["files"]} | {MANIFEST} == set(names)
    assert all(len(f["sha256"]) == 64 and f["size"] > 0 for f in manifest["files"])

    # a damaged archive is refused naming the member; the empty target stays empty
    use(target)
    bad = tamper(archive, f"evidence/{added_sha[:2]}/{added_sha[2:4]}/{added_sha}",
                 tmp_path / f"bad{suffix}")  # fmt: skip
    refused = invoke("restore", str(bad))
    assert refused.exit_code == 1, refused.output
    assert added_sha in said(refused) and "nothing was restored" in said(refused), said(refused)
    assert blobs(target.store) == [], "a damaged archive writes no blob"
    if source.url.startswith("sqlite"):
        assert not (target.root / "lt.db").exists(), "a damaged archive creates no database"
    else:
        assert table_counts(target.url) == {}, "a damaged archive creates no table"

    out = invoke("restore", str(archive), "--json")
    assert out.exit_code == 0, out.output
    restored = json.loads(out.stdout)
    assert restored["ok"] and restored["count_mismatches"] == {}
    assert restored["blobs_written"] == made["evidence_blobs"]
    assert restored["row_counts"] == before

    after = table_counts(target.url)
    same = {t: n for t, n in before.items() if t not in AUDIT}
    assert {t: after.get(t) for t in same} == same, "every table has the source's rows"
    assert after["auditentry"] == before["auditentry"] + 1, "the restore is audited"
    assert blobs(target.store) == blobs(source.store)
    assert sorted(p.relative_to(target.templates) for p in target.templates.rglob("*")) == sorted(
        p.relative_to(source.templates) for p in source.templates.rglob("*")
    )
    verify = invoke("evidence", "verify", "--json")
    assert verify.exit_code == 0, verify.output
    checked = json.loads(verify.stdout)
    assert checked["ok"] and checked["checked"] == made["evidence_blobs"], checked
    users = json.loads(invoke("users", "list", "--json").stdout)
    assert "demo_lead" in {u["username"] for u in users}
    health = invoke("health", "--json")
    assert json.loads(health.stdout)["checks"]["migrations"]["status"] == "ok", health.output

    # the target now holds data: refused without --force, replaced with it
    again = invoke("restore", str(archive))
    assert again.exit_code == 1 and "--force" in said(again), again.output
    settled = table_counts(target.url)
    damaged_force = invoke("restore", str(tamper(archive, db_member, tmp_path / f"bad-db{suffix}")), "--force")  # fmt: skip
    assert damaged_force.exit_code == 1 and db_member in said(damaged_force), said(damaged_force)
    assert table_counts(target.url) == settled, (
        "a damaged archive changes nothing, even with --force"
    )
    forced = invoke("restore", str(archive), "--force", "--json")
    assert forced.exit_code == 0, forced.output
    assert json.loads(forced.stdout)["replaced"]["loan"] == before["loan"]
    assert invoke("evidence", "verify").exit_code == 0


def test_backup_and_restore_on_sqlite(use, tmp_path):
    source, target = sqlite_pair(tmp_path)
    roundtrip(source, target, use, tmp_path, ".tar.gz")


@pytest.mark.pg
def test_backup_and_restore_on_postgresql(use, tmp_path, pg_databases):
    source, target = pg_databases
    roundtrip(source, target, use, tmp_path, ".tar")


def rewrite(archive: Path, dest: Path, *, drop: str = "", add: tuple[str, bytes] | None = None) -> Path:  # fmt: skip
    with tarfile.open(archive) as src, tarfile.open(dest, "w") as out:
        for info in src.getmembers():
            if info.name != drop:
                out.addfile(info, src.extractfile(info))
        if add:
            info = tarfile.TarInfo(add[0])
            info.size = len(add[1])
            out.addfile(info, io.BytesIO(add[1]))
    return dest


@pytest.fixture
def small_backup(use, tmp_path) -> Path:
    source, _ = sqlite_pair(tmp_path)
    use(source)
    assert invoke("init").exit_code == 0
    archive = tmp_path / "small.tar"
    assert invoke("backup", "--out", str(archive)).exit_code == 0
    return archive


@pytest.mark.parametrize(
    ("change", "member", "reason"),
    [
        ({"drop": "database/legal_track.sqlite3"}, "database/legal_track.sqlite3", "missing"),
        ({"add": ("templates/extra.txt", b"x")}, "templates/extra.txt", "not listed"),
        ({"add": ("templates/../../evil", b"x")}, "templates/../../evil", "not a member"),
        ({"add": ("evidence/ab/cd/" + "0" * 64, b"x")}, "evidence/ab/cd/" + "0" * 64, "not a member"),
    ],
    ids=["missing-database", "extra-member", "path-escape", "misplaced-blob"],
)  # fmt: skip
def test_an_archive_that_differs_from_its_manifest_is_refused(small_backup, tmp_path, change, member, reason):  # fmt: skip
    bad = rewrite(small_backup, tmp_path / "changed.tar", **change)
    with pytest.raises(ArchiveDamaged) as caught:
        verify_archive(bad)
    assert caught.value.member == member and reason in str(caught.value), str(caught.value)


def test_a_truncated_archive_and_a_foreign_file_are_refused(small_backup, tmp_path, use):
    cut = tmp_path / "cut.tar"
    data = small_backup.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(BackupError):
        verify_archive(cut)
    _, target = sqlite_pair(tmp_path)
    use(target)
    foreign = tmp_path / "notes.txt"
    foreign.write_text("not a backup", encoding="utf-8")
    out = invoke("restore", str(foreign))
    assert out.exit_code == 1 and "not a backup archive" in said(out), out.output
    assert not (target.root / "lt.db").exists()


def test_a_sqlite_backup_is_not_restored_into_postgresql(small_backup, tmp_path, use, monkeypatch):
    _, target = sqlite_pair(tmp_path)
    use(target)
    monkeypatch.setenv("LEGAL_TRACK_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/x")
    from legal_track.config import get_settings

    get_settings.cache_clear()
    out = invoke("restore", str(small_backup))
    assert out.exit_code == 1 and "holds a sqlite database" in said(out), out.output


def test_a_missing_pg_dump_names_the_install_command(tmp_path, monkeypatch):
    from legal_track.operations.pgtools import find_tool

    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BackupError, match="apt-get install postgresql-client"):
        find_tool("pg_dump", debian_root=tmp_path / "none")
    fake = tmp_path / "lib" / "16" / "bin" / "pg_dump"
    fake.parent.mkdir(parents=True)
    fake.write_text("#!/bin/sh\n", encoding="utf-8")
    fake.chmod(0o755)
    older = tmp_path / "lib" / "9.6" / "bin" / "pg_dump"
    older.parent.mkdir(parents=True)
    older.write_text("#!/bin/sh\n", encoding="utf-8")
    older.chmod(0o755)
    assert find_tool("pg_dump", debian_root=tmp_path / "lib") == str(fake)
