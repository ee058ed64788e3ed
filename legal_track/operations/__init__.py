"""Running legal-track for a team: backups, restores, health and worker heartbeats.

- `backup`: `create_backup` writes one .tar with the database (SQLite backup API or
  `pg_dump --format=custom`), every evidence blob, the template files and a manifest.
- `restore`: `restore_backup` checks every member against the manifest before touching
  anything, then puts the blobs, templates and database back and migrates forward.
- `manifest`: the manifest's shape, the archive's member names, reading the archive.
- `database`: consistent copies of SQLite and PostgreSQL (`pgtools`: finding and running
  pg_dump / pg_restore).
- `health`: `health` checks the database, migrations, scheduler lease, worker heartbeats,
  evidence store and mail; `endpoint.HealthServer` serves it as JSON over HTTP.
- `heartbeat`: the worker's heartbeat rows (in the scheduler-lease table).
"""

from legal_track.operations.backup import BackupReport, create_backup
from legal_track.operations.health import Check, HealthReport, WorkerState, health, health_engine
from legal_track.operations.manifest import ArchiveDamaged, BackupError, Manifest, read_manifest
from legal_track.operations.restore import RestoreReport, TargetNotEmpty, restore_backup

__all__ = [
    "ArchiveDamaged",
    "BackupError",
    "BackupReport",
    "Check",
    "HealthReport",
    "Manifest",
    "RestoreReport",
    "TargetNotEmpty",
    "WorkerState",
    "create_backup",
    "health",
    "health_engine",
    "read_manifest",
    "restore_backup",
]
