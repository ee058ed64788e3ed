# The migrated SQLite file / PostgreSQL schema fixtures of the audit tests.
from tests.audit.conftest import db, db_url, pg_schema_url, sqlite_url

__all__ = ["db", "db_url", "pg_schema_url", "sqlite_url"]
