"""One consistent backup archive of an instance, and its restore onto an empty instance.

The archive (a .tar.gz) holds:

- `database.sqlite3` (SQLite's online backup API) or `database.pgdump` (`pg_dump
  --format=custom` of a snapshot whose row counts the manifest records);
- `queue.sqlite3`, the SQLite-backed queue's file (with Redis the queue lives in Redis);
- `media/…`, every uploaded file;
- `keys.json`: where the secret key and the field-encryption key come from and their SM3
  fingerprints — never the keys;
- `manifest.json`: the SM3 hash and size of every other file, and every table's row count.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from huey.contrib.djhuey import HUEY

FORMAT = 1
MANIFEST = "manifest.json"
KEYS = "keys.json"
SQLITE_DUMP = "database.sqlite3"
PG_DUMP = "database.pgdump"
QUEUE = "queue.sqlite3"
MEDIA = "media"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in Chinese."""


@dataclass
class Report:
    tables: dict[str, int] = field(default_factory=dict)
    files: int = 0
    warnings: list[str] = field(default_factory=list)


def sm3(data: bytes) -> str:
    return hashlib.new("sm3", data).hexdigest()


def sm3_file(path: Path) -> str:
    digest = hashlib.new("sm3")
    with open(path, "rb") as source:
        while chunk := source.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


# --- Row counts -------------------------------------------------------------------------------


def sqlite_row_counts(path: Path) -> dict[str, int]:
    """Every table of a SQLite file and its row count."""
    with sqlite3.connect(path) as db:
        names = [
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            name: db.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0]
            for name in sorted(names)
        }


def database_row_counts() -> dict[str, int]:
    """Every table of the configured database and its row count."""
    with connection.cursor() as cursor:
        counts = {}
        for name in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(name)}")
            counts[name] = cursor.fetchone()[0]
        return counts


# --- Keys -------------------------------------------------------------------------------------


def key_references() -> dict[str, dict[str, str | None]]:
    """Where each key comes from and its SM3 fingerprint; a restored instance needs the same
    keys (sessions and signed links need the secret key; encrypted fields the field key)."""
    if os.environ.get("LUOSHI_SECRET_KEY"):
        secret_source = "env:LUOSHI_SECRET_KEY"
    else:
        secret_source = f"file:{Path(settings.VAR_DIR) / 'secret_key'}"
    references: dict[str, dict[str, str | None]] = {
        "secret_key": {"source": secret_source, "sm3": sm3(settings.SECRET_KEY.encode())}
    }
    # settings.FIELD_KEYS / FIELD_KEY_SOURCE (luoshi.lib.fieldcrypt's keys) where configured.
    field_key = str(getattr(settings, "FIELD_KEYS", "") or "").strip()
    field_source = str(getattr(settings, "FIELD_KEY_SOURCE", "") or "")
    if not field_key:
        field_key, field_source = os.environ.get("LUOSHI_FIELD_KEY", ""), "env:LUOSHI_FIELD_KEY"
    key_file = os.environ.get("LUOSHI_FIELD_KEY_FILE", "")
    if not field_key and key_file and Path(key_file).is_file():
        field_key, field_source = Path(key_file).read_text().strip(), f"file:{key_file}"
    references["field_key"] = (
        {"source": field_source, "sm3": sm3(field_key.encode())}
        if field_key
        else {"source": None, "sm3": None}
    )
    return references


# --- Backup -----------------------------------------------------------------------------------


def _pg_env() -> dict[str, str]:
    db: dict[str, Any] = dict(settings.DATABASES["default"])
    env = dict(os.environ)
    for key, name in [
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ]:
        if db.get(name):
            env[key] = str(db[name])
    return env


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(_("未找到 %(tool)s：请安装 PostgreSQL 客户端工具。") % {"tool": name})
    return path


def _run(command: list[str]) -> None:
    done = subprocess.run(command, env=_pg_env(), capture_output=True, text=True)
    if done.returncode:
        raise BackupError(
            _("%(tool)s 执行失败：%(error)s")
            % {"tool": Path(command[0]).name, "error": done.stderr.strip()[-500:]}
        )


def _dump_database(staging: Path) -> tuple[str, dict[str, int]]:
    """The database into `staging`, and the row counts of exactly what was dumped."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(staging / SQLITE_DUMP) as target:
            connection.connection.backup(target)
        return SQLITE_DUMP, sqlite_row_counts(staging / SQLITE_DUMP)
    if connection.vendor != "postgresql":
        raise BackupError(_("不支持备份 %(vendor)s 数据库。") % {"vendor": connection.vendor})
    pg_dump = _pg_tool("pg_dump")
    # One snapshot for the counts and the dump: pg_dump --snapshot reads what this transaction sees.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = database_row_counts()
        _run(
            [
                pg_dump,
                "--format=custom",
                "--no-owner",
                f"--snapshot={snapshot}",
                f"--file={staging / PG_DUMP}",
            ]
        )
    return PG_DUMP, counts


def _sqlite_queue_file() -> Path | None:
    filename = getattr(HUEY.storage, "filename", None)
    return Path(filename) if filename and type(HUEY).__name__ == "SqliteHuey" else None


def create_backup(output: Path) -> dict:
    """Write the archive to `output` (atomically: a partial archive never has its name)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".backup-") as work:
        staging = Path(work) / "luoshi-backup"
        staging.mkdir()
        database_file, tables = _dump_database(staging)  # first: media may only be newer
        queue: dict[str, str | None] = {"kind": type(HUEY).__name__, "file": None}
        if (queue_file := _sqlite_queue_file()) is not None and queue_file.exists():
            with sqlite3.connect(queue_file) as source, sqlite3.connect(staging / QUEUE) as target:
                source.backup(target)
            queue["file"] = QUEUE
        media_root = Path(settings.MEDIA_ROOT)
        if media_root.is_dir():
            for path in sorted(media_root.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    copy = staging / MEDIA / path.relative_to(media_root)
                    copy.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, copy)
        keys = key_references()
        (staging / KEYS).write_text(json.dumps(keys, indent=2, ensure_ascii=False))
        files = {
            path.relative_to(staging).as_posix(): {
                "sm3": sm3_file(path),
                "bytes": path.stat().st_size,
            }
            for path in sorted(staging.rglob("*"))
            if path.is_file()
        }
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "database": {"vendor": connection.vendor, "file": database_file},
            "queue": queue,
            "keys": keys,
            "tables": tables,
            "files": files,
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
        partial = Path(work) / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as archive:
            for path in sorted(staging.rglob("*")):
                if path.is_file():
                    archive.add(path, arcname=path.relative_to(staging).as_posix())
        os.replace(partial, output)
    return manifest


def default_output() -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return Path(settings.VAR_DIR) / "backups" / f"luoshi-{stamp}.tar.gz"


# --- Restore ----------------------------------------------------------------------------------


def _extract(archive: Path, into: Path) -> dict:
    """Unpack and check every file against the manifest, before anything is restored."""
    try:
        with tarfile.open(archive, "r:*") as tar:
            tar.extractall(into, filter="data")
        manifest = json.loads((into / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, tarfile.TarError, ValueError) as exc:
        raise BackupError(
            _("无法读取备份 %(path)s：%(error)s") % {"path": archive, "error": exc}
        ) from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(
            _("备份格式版本不受支持：%(format)s。") % {"format": manifest.get("format")}
        )
    listed = manifest["files"]
    present = {p.relative_to(into).as_posix() for p in into.rglob("*") if p.is_file()} - {MANIFEST}
    if unlisted := sorted(present - set(listed)):
        raise BackupError(_("备份中有清单未列出的文件：%(path)s。") % {"path": unlisted[0]})
    for name, expected in listed.items():
        path = into / name
        if not path.is_file():
            raise BackupError(_("备份缺少文件 %(path)s。") % {"path": name})
        if sm3_file(path) != expected["sm3"]:
            raise BackupError(
                _("备份文件 %(path)s 的 SM3 校验值与清单不符：备份已损坏或被改动，未做任何恢复。")
                % {"path": name}
            )
    return manifest


def _not_empty() -> list[str]:
    """What makes this instance not empty: accounts in the database, files in the media root."""
    found = []
    try:
        if get_user_model().objects.exists():
            found.append(_("数据库中的账号"))
    except DatabaseError:
        pass  # no tables yet: an empty database
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.is_dir() and any(p.is_file() for p in media_root.rglob("*")):
        found.append(_("上传文件目录 %(path)s") % {"path": media_root})
    return found


def _restore_database(manifest: dict, staging: Path) -> dict[str, int]:
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise BackupError(
            _("备份来自 %(archived)s 数据库，本实例使用 %(current)s，无法直接恢复。")
            % {"archived": vendor, "current": connection.vendor}
        )
    if vendor == "sqlite":
        target = Path(settings.DATABASES["default"]["NAME"])
        connection.close()
        target.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(staging / SQLITE_DUMP) as source, sqlite3.connect(target) as dest:
            source.backup(dest)
        return sqlite_row_counts(target)
    pg_restore = _pg_tool("pg_restore")
    connection.close()
    _run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--exit-on-error",
            f"--dbname={settings.DATABASES['default']['NAME']}",
            str(staging / PG_DUMP),
        ]
    )
    return database_row_counts()


def restore_backup(archive: Path, *, force: bool = False) -> Report:
    """Restore `archive` onto this instance, then check every table's row count and every
    file's hash against the manifest."""
    with tempfile.TemporaryDirectory(prefix="luoshi-restore-") as work:
        staging = Path(work)
        manifest = _extract(archive, staging)
        if not force and (found := _not_empty()):
            raise BackupError(
                _("目标实例不是空的（已有%(what)s），未做任何恢复；确认覆盖请加 --force。")
                % {"what": "、".join(found)}
            )
        report = Report()
        counts = _restore_database(manifest, staging)
        queue_file = _sqlite_queue_file()
        if manifest["queue"]["file"]:
            if queue_file is None:
                report.warnings.append(
                    _("备份含 SQLite 队列文件，本实例未使用 SQLite 队列，未恢复队列。")
                )
            else:
                queue_file.parent.mkdir(parents=True, exist_ok=True)
                with (
                    sqlite3.connect(staging / QUEUE) as source,
                    sqlite3.connect(queue_file) as dest,
                ):
                    source.backup(dest)
        media_root = Path(settings.MEDIA_ROOT)
        if force and media_root.is_dir():
            for child in media_root.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        prefix = f"{MEDIA}/"
        for name in manifest["files"]:
            if name.startswith(prefix):
                target = media_root / name.removeprefix(prefix)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(staging / name, target)

    problems = [
        _("表 %(table)s 应有 %(expected)s 行，恢复后为 %(found)s 行。")
        % {"table": table, "expected": expected, "found": counts.get(table, _("（缺失）"))}
        for table, expected in manifest["tables"].items()
        if counts.get(table) != expected
    ]
    for name, expected in manifest["files"].items():
        if name.startswith(prefix):
            path = media_root / name.removeprefix(prefix)
            if not path.is_file() or sm3_file(path) != expected["sm3"]:
                problems.append(_("文件 %(path)s 恢复后的 SM3 校验值不符。") % {"path": path})
            report.files += 1
    if problems:
        raise BackupError(_("恢复后核对不通过：") + " ".join(problems))
    report.tables = counts
    archived_keys = manifest["keys"]
    for key, current in key_references().items():
        if archived_keys.get(key, {}).get("sm3") != current["sm3"]:
            report.warnings.append(
                _("%(key)s 与备份时不同（备份时来源：%(source)s）：请配置备份时的密钥。")
                % {"key": key, "source": archived_keys.get(key, {}).get("source")}
            )
    return report
