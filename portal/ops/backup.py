"""Backups of a data directory into one archive, and restores from one.

An archive is a gzipped tar holding:
  manifest.json    what made it: portal version, schema migrations, time, what is inside
  portal.core.db   a consistent copy of the database, taken with SQLite's online backup API
                   while the portal may be serving (a file copy could catch half a transaction)
  secret_key       the generated key, when the data directory keeps one (PORTAL_SECRET_KEY set in
                   the environment is not in the data directory and not in the archive)
  uploads/...      uploaded files (uploads/logo/, uploads/supplier/), when there are any
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from portal.core.db import now_iso
from portal.core.migrations import known_names
from portal.core.settings import Settings

DB_NAME = "portal.core.db"
SECRET_NAME = "secret_key"  # noqa: S105 - a file name, not a secret
UPLOADS_NAME = "uploads"
MANIFEST_NAME = "manifest.json"
LOCK_NAME = "portal.lock"
FORMAT = 1


class BackupError(RuntimeError):
    """A backup or restore cannot be done; str(error) is one line for the operator."""


@dataclass(frozen=True)
class BackupReport:
    """What a backup wrote: the archive, its size, and what it holds."""

    path: Path
    size: int
    files: int
    secret_key: bool


def portal_version() -> str:
    """The installed portal's version ("unknown" when run from an uninstalled tree)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("brightpearl-portal")
    except PackageNotFoundError:
        return "unknown"


# --- the lock a running portal holds ------------------------------------------------------------
@contextlib.contextmanager
def serving_lock(data_dir: Path) -> Iterator[None]:
    """Hold a shared lock on the data directory while the portal serves from it.

    A restore takes the lock exclusively, so it can tell a live data directory from a stopped one
    (the lock goes with the process, however it ends).
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / LOCK_NAME, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _in_use(data_dir: Path) -> bool:
    path = data_dir / LOCK_NAME
    if not path.exists():
        return False
    with open(path, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False


# --- backup --------------------------------------------------------------------------------------
def copy_database(source: Path, target: Path) -> None:
    """Copy the live database at `source` into a new file `target` with SQLite's backup API.

    One step (pages=-1) copies every page under one read transaction: the copy is the database as
    one moment saw it, while writers carry on (WAL mode lets them).
    """
    src = sqlite3.connect(str(source), timeout=30)
    dst = sqlite3.connect(str(target))
    try:
        src.backup(dst, pages=-1)
        dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
    finally:
        dst.close()
        src.close()


def backup(settings: Settings, to: Path) -> BackupReport:
    """Write the archive of `settings.data_dir` to `to` (replaced atomically); return what it holds."""
    db_path = settings.db_path
    if not db_path.exists():
        raise BackupError(f"no database at {db_path}: is PORTAL_DATA_DIR right?")
    to = Path(to)
    to.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="portal-backup-") as scratch:
        copy = Path(scratch) / DB_NAME
        copy_database(db_path, copy)
        migrations = [row[0] for row in _rows(copy, "select name from _sqlite_migrations order by id")]
        secret = settings.secret_key_path if settings.secret_key_path.is_file() else None
        uploads = sorted(p for p in settings.uploads_dir.rglob("*") if p.is_file()) if settings.uploads_dir.is_dir() else []
        manifest = {
            "format": FORMAT,
            "portal_version": portal_version(),
            "created_at": now_iso(),
            "migrations": migrations,
            "secret_key": secret is not None,
            "uploads": [str(p.relative_to(settings.data_dir)) for p in uploads],
        }
        partial = to.with_name(to.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST_NAME)
            info.size, info.mode = len(data), 0o600
            tar.addfile(info, io.BytesIO(data))
            tar.add(copy, DB_NAME)
            if secret is not None:
                tar.add(secret, SECRET_NAME)
            for path in uploads:
                tar.add(path, str(path.relative_to(settings.data_dir)))
        os.chmod(partial, 0o600)  # it holds password hashes and the secret key
        os.replace(partial, to)
    return BackupReport(path=to, size=to.stat().st_size, files=2 + (secret is not None) + len(uploads),
                        secret_key=secret is not None)


def _rows(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(str(path))
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


# --- restore -------------------------------------------------------------------------------------
def restore(archive: Path, data_dir: Path, *, force: bool = False) -> dict:
    """Put the archive's database, key and uploads into `data_dir`; return its manifest.

    Refuses (BackupError) a data directory a running portal holds, always, and one that already
    has a database, key or uploads unless `force`; with `force` those are replaced.
    """
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"no backup file at {archive}")
    if _in_use(data_dir):
        raise BackupError(f"a running portal is using {data_dir}: stop it, then restore")
    existing = [name for name in (DB_NAME, SECRET_NAME, UPLOADS_NAME) if (data_dir / name).exists()]
    if existing and not force:
        raise BackupError(
            f"{data_dir} already holds {', '.join(existing)}: restore into an empty data directory, "
            "or add --force to replace them"
        )
    data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=data_dir) as scratch:
        staged = Path(scratch)
        manifest = _unpack(archive, staged)
        _check_database(staged / DB_NAME)
        for suffix in ("", "-wal", "-shm"):
            (data_dir / (DB_NAME + suffix)).unlink(missing_ok=True)
        if (data_dir / UPLOADS_NAME).exists():
            shutil.rmtree(data_dir / UPLOADS_NAME)
        if (staged / SECRET_NAME).exists():
            os.replace(staged / SECRET_NAME, data_dir / SECRET_NAME)
            os.chmod(data_dir / SECRET_NAME, 0o600)
        if (staged / UPLOADS_NAME).exists():
            os.replace(staged / UPLOADS_NAME, data_dir / UPLOADS_NAME)
        os.replace(staged / DB_NAME, data_dir / DB_NAME)  # last: a database means the restore finished
    return manifest


def _unpack(archive: Path, into: Path) -> dict:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            names = tar.getnames()
            if MANIFEST_NAME not in names or DB_NAME not in names:
                raise BackupError(f"{archive} is not a portal backup (no {MANIFEST_NAME} or {DB_NAME})")
            # The "data" filter refuses absolute paths, "..", links out of the folder and devices.
            tar.extractall(into, filter="data")
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"{archive} cannot be read as a portal backup: {error}") from None
    manifest = json.loads((into / MANIFEST_NAME).read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{archive} has backup format {manifest.get('format')!r}; this release reads {FORMAT}")
    return manifest


def _check_database(path: Path) -> None:
    try:
        (result,) = _rows(path, "PRAGMA integrity_check")[0]
        applied = {row[0] for row in _rows(path, "select name from _sqlite_migrations")}
    except sqlite3.DatabaseError as error:
        raise BackupError(f"the database in the backup cannot be read: {error}") from None
    if result != "ok":
        raise BackupError(f"the database in the backup is damaged: {result}")
    newer = sorted(applied - set(known_names()))
    if newer:
        raise BackupError(
            f"the backup was made by a newer release (migration {newer[-1]}): restore it with that release"
        )
