"""`manage.py backup` and `manage.py restore`: the round trip keeps every table's row count and
every file's hash; a damaged archive and a non-empty target are refused."""

import hashlib
import io
import json
import shutil
import tarfile
import uuid
from pathlib import Path

import pytest

from .conftest import Instance

SEED = """
from django.contrib.auth import get_user_model
from luoshi.ops.tests.jobs import wait_for_release
User = get_user_model()
for n in range(3):
    User.objects.create_user(username=f"backup-{n}", password="Backup@2026x")
wait_for_release.enqueue("/nonexistent/release", "/nonexistent/effect")
"""
MEDIA = {
    "files/2026/12/整改报告.pdf": b"%PDF-1.7 evidence\n" * 100,
    "learning/rankings/2026-11.json": json.dumps({"units": [1, 2, 3]}).encode(),
    "top.txt": b"",
}


def _sm3(path: Path) -> str:
    return hashlib.new("sm3", path.read_bytes()).hexdigest()


def _files(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): _sm3(p) for p in root.rglob("*") if p.is_file()}


def _seed(instance: Instance) -> None:
    instance.manage("shell", "-c", SEED)
    for name, content in MEDIA.items():
        path = instance.media / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def _sqlite_counts(path: Path) -> dict[str, int]:
    from luoshi.ops.backup import sqlite_row_counts

    return sqlite_row_counts(path)


def test_backup_and_restore_keep_every_row_count_and_file_hash(tmp_path, instance):
    _seed(instance)
    archive = tmp_path / "archive" / "luoshi.tar.gz"
    made = instance.manage("backup", "--output", str(archive))
    assert "备份已写入" in made.stdout

    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        manifest = json.load(tar.extractfile("manifest.json"))
        keys = json.load(tar.extractfile("keys.json"))
        blob = b"".join(tar.extractfile(m).read() for m in tar.getmembers() if m.isfile())
    assert {"database.sqlite3", "queue.sqlite3", "keys.json", "manifest.json"} <= names
    assert {f"media/{name}" for name in MEDIA} <= names
    assert set(manifest["files"]) == names - {"manifest.json"}
    assert manifest["tables"]["accounts_user"] == 3
    assert manifest["tables"] == _sqlite_counts(instance.database)
    assert keys["secret_key"] == {
        "source": "env:LUOSHI_SECRET_KEY",
        "sm3": hashlib.new("sm3", b"ops-test-secret-key").hexdigest(),
    }
    assert b"ops-test-secret-key" not in blob  # a reference and a fingerprint, never the key

    fresh = Instance(tmp_path / "fresh")  # nothing there: no database file, no media
    restored = fresh.manage("restore", str(archive))
    assert "校验通过" in restored.stdout, restored.stderr

    assert _sqlite_counts(fresh.database) == _sqlite_counts(instance.database)
    assert _sqlite_counts(fresh.queue) == _sqlite_counts(instance.queue)
    assert _sqlite_counts(fresh.queue)["task"] == 1
    assert _files(fresh.media) == _files(instance.media)
    assert set(_files(fresh.media)) == set(MEDIA)

    again = instance.manage("restore", str(archive), check=False)
    assert again.returncode == 1
    assert "目标实例不是空的" in again.stderr and "--force" in again.stderr
    (instance.media / "later.txt").write_text("added after the backup")
    forced = instance.manage("restore", str(archive), "--force")
    assert "校验通过" in forced.stdout
    assert _files(instance.media) == _files(fresh.media)  # the later file is gone


def test_a_changed_file_in_the_archive_is_refused_before_anything_is_restored(tmp_path, instance):
    _seed(instance)
    archive = tmp_path / "luoshi.tar.gz"
    instance.manage("backup", "--output", str(archive))
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(tampered, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "media/top.txt":
                data = b"changed"
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))

    fresh = Instance(tmp_path / "fresh")
    refused = fresh.manage("restore", str(tampered), check=False)
    assert refused.returncode == 1
    assert "备份文件 media/top.txt 的 SM3 校验值与清单不符" in refused.stderr
    assert not fresh.database.exists() or _sqlite_counts(fresh.database) == {}
    assert not fresh.media.exists()


def _postgres() -> str:
    psycopg = pytest.importorskip("psycopg")
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump/pg_restore not installed")
    try:
        psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=3).close()
    except psycopg.OperationalError:
        pytest.skip("PostgreSQL is not running at 127.0.0.1:5432")
    return "postgresql://postgres@127.0.0.1:5432"


def _pg_counts(url: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(url) as db:
        names = [
            name
            for (name,) in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        return {name: next(iter(db.execute(f'SELECT COUNT(*) FROM "{name}"')))[0] for name in names}


def test_the_round_trip_on_postgresql(tmp_path):
    import psycopg

    server = _postgres()
    names = [f"luoshi_ops_{uuid.uuid4().hex[:8]}_{side}" for side in ("a", "b")]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
    try:
        source, target = (
            Instance(tmp_path / side, env={"LUOSHI_DATABASE_URL": f"{server}/{name}"})
            for side, name in zip("ab", names, strict=True)
        )
        source.manage("migrate", "--noinput", "-v0")
        _seed(source)
        archive = tmp_path / "luoshi.tar.gz"
        source.manage("backup", "--output", str(archive))
        with tarfile.open(archive) as tar:
            assert "database.pgdump" in tar.getnames()
        restored = target.manage("restore", str(archive))
        assert "校验通过" in restored.stdout, restored.stderr
        assert _pg_counts(f"{server}/{names[1]}") == _pg_counts(f"{server}/{names[0]}")
        assert _pg_counts(f"{server}/{names[1]}")["accounts_user"] == 3
        assert _files(target.media) == _files(source.media)
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_field_key_is_named_and_fingerprinted_never_copied(settings):
    from luoshi.ops.backup import key_references

    settings.FIELD_KEYS = "k2:00112233445566778899aabbccddeeff\nk1:ffeeddccbbaa99887766554433221100"
    settings.FIELD_KEY_SOURCE = "file:/etc/luoshi/field_key"
    references = key_references()
    assert references["field_key"] == {
        "source": "file:/etc/luoshi/field_key",
        "sm3": hashlib.new("sm3", settings.FIELD_KEYS.encode()).hexdigest(),
    }
    assert "00112233" not in json.dumps(references)
