"""Backup and restore: one tar.gz with the database, the evidence files and the generated reports.

The archive holds
  manifest.json        format, version, date, database vendor, applied migrations, the row count
                       of every table and the SHA-256 and size of every other member;
  database.jsonl       every row of every model, one JSON object a line, in dependency order
                       (Django's serialisation with natural keys for content types), with full
                       microsecond precision so the audit hash chain still verifies afterwards;
  files/evidence/...   every file of the "evidence" storage (local folder or S3-compatible);
  files/reports/...    every generated report under REPORTS_DIR (default var/reports).

The dump is logical, not a copy of database files: it restores on SQLite or PostgreSQL alike
and needs no pg_dump on the machine. The price is speed on very large databases (a database
dump is faster); docs/operations.md says when to add pg_dump on top.

Restoring verifies every checksum before touching anything, refuses to overwrite a database that
already holds data unless forced, then replaces all rows in one transaction (all or nothing) and
writes the files back.
"""

import contextlib
import datetime as dt
import decimal
import hashlib
import io
import json
import os
import tarfile
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

import kieumau

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE = "database.jsonl"
EVIDENCE_PREFIX = "files/evidence/"
REPORTS_PREFIX = "files/reports/"
# Rebuilt by `migrate` on any machine (and keyed by natural keys in the dump), or transient.
EXCLUDED_MODELS = {"contenttypes.contenttype", "auth.permission", "sessions.session"}
CHUNK = 1000


class BackupRefused(Exception):
    """A backup or restore refused with a Vietnamese message for the operator (exit code 1)."""


@dataclass
class RestoreReport:
    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0
    audit_checked: int = 0


# -- what is backed up ----------------------------------------------------------------------------
def backed_up_models() -> list:
    """Every concrete model of the project in an order where referenced rows come first."""
    models = [
        m
        for m in apps.get_models()
        if not m._meta.proxy
        and m._meta.managed
        and m._meta.label_lower not in EXCLUDED_MODELS
        and router.allow_migrate_model(DEFAULT_DB_ALIAS, m)
    ]
    by_app: dict = {}
    for model in models:
        by_app.setdefault(model._meta.app_config, []).append(model)
    return serializers.sort_dependencies(list(by_app.items()), allow_cycles=True)


def auto_created_tables(models) -> list:
    """The many-to-many tables of `models` (their rows travel inside their owners' rows)."""
    return [
        f.remote_field.through
        for m in models
        for f in m._meta.local_many_to_many
        if f.remote_field.through._meta.auto_created
    ]


def evidence_storage() -> Storage:
    return storages["evidence"]


def reports_dir() -> Path:
    """The folder of generated report files (setting REPORTS_DIR, default var/reports)."""
    return Path(getattr(settings, "REPORTS_DIR", None) or Path(settings.VAR_DIR) / "reports")


def _storage_files(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file name in a storage, walking folders (works for local and S3 storages)."""
    try:
        dirs, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for name in sorted(dirs):
        yield from _storage_files(storage, f"{folder}/{name}" if folder else name)


def _report_files() -> Iterator[tuple[str, Path]]:
    root = reports_dir()
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file():
            yield path.relative_to(root).as_posix(), path


# -- the database dump ----------------------------------------------------------------------------
class _Encoder(json.JSONEncoder):
    """JSON for serialised field values, keeping microseconds (Django's encoder drops them)."""

    def default(self, o):
        if isinstance(o, dt.datetime | dt.date | dt.time):
            return o.isoformat()
        if isinstance(o, decimal.Decimal | uuid.UUID):
            return str(o)
        if isinstance(o, dt.timedelta):
            return o.total_seconds()
        if isinstance(o, bytes | memoryview):
            return {"__bytes__": bytes(o).hex()}
        return super().default(o)


def _decode(value):
    if isinstance(value, dict):
        if set(value) == {"__bytes__"}:
            return bytes.fromhex(value["__bytes__"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def _dump_rows(out) -> dict[str, int]:
    """Write every row as one JSON line; returns {model label: rows written}."""
    counts = {}
    for model in backed_up_models():
        label = model._meta.label_lower
        counts[label] = 0
        queryset = model._base_manager.order_by(model._meta.pk.name)
        batch = []
        for obj in queryset.iterator(chunk_size=CHUNK):
            batch.append(obj)
            if len(batch) >= CHUNK:
                counts[label] += _write_batch(out, batch)
                batch = []
        if batch:
            counts[label] += _write_batch(out, batch)
    return counts


def _write_batch(out, objects) -> int:
    for row in serializers.serialize("python", objects, use_natural_foreign_keys=True):
        line = json.dumps(row, cls=_Encoder, ensure_ascii=False, sort_keys=True)
        out.write(line.encode("utf-8") + b"\n")
    return len(objects)


def table_counts() -> dict[str, int]:
    """{model label: rows} for every backed-up model, as the manifest records it."""
    return {m._meta.label_lower: m._base_manager.count() for m in backed_up_models()}


def applied_migrations() -> dict[str, list[str]]:
    recorder = MigrationRecorder(connections[DEFAULT_DB_ALIAS])
    applied: dict[str, list[str]] = {}
    for app, name in sorted(recorder.applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


# -- writing the archive --------------------------------------------------------------------------
def _sha256_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes, mtime: float) -> dict:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(mtime)
    info.mode = 0o640
    tar.addfile(info, io.BytesIO(data))
    return {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def create_backup(destination: Path) -> dict:
    """Write the archive to `destination` (atomically: a temporary file renamed at the end).

    Protects the copy from being half-written: the database is read inside one transaction
    (a consistent snapshot on PostgreSQL; SQLite holds its read lock), and the archive only
    appears under its name once complete. Returns the manifest.
    """
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    created = timezone.now()
    mtime = created.timestamp()
    members: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(dir=destination.parent) as work:
        dump = Path(work) / DATABASE
        connection = connections[DEFAULT_DB_ALIAS]
        outermost = not connection.in_atomic_block
        with transaction.atomic(), open(dump, "wb") as out:
            if connection.vendor == "postgresql" and outermost:
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            counts = _dump_rows(out)
            migrations = applied_migrations()
        partial = Path(work) / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as tar:
            sha, size = _sha256_file(dump)
            tar.add(dump, arcname=DATABASE, recursive=False)
            members[DATABASE] = {"sha256": sha, "size": size}
            storage = evidence_storage()
            for name in _storage_files(storage):
                with storage.open(name, "rb") as fh:
                    data = fh.read()
                members[EVIDENCE_PREFIX + name] = _add_bytes(
                    tar, EVIDENCE_PREFIX + name, data, mtime
                )
            for name, path in _report_files():
                members[REPORTS_PREFIX + name] = _add_bytes(
                    tar, REPORTS_PREFIX + name, path.read_bytes(), mtime
                )
            manifest = {
                "format": FORMAT,
                "application": "kieumau",
                "version": kieumau.__version__,
                "created": created.isoformat(),
                "database": {
                    "vendor": connections[DEFAULT_DB_ALIAS].vendor,
                    "migrations": migrations,
                },
                "tables": counts,
                "members": members,
            }
            _add_bytes(
                tar,
                MANIFEST,
                json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode(),
                mtime,
            )
        os.replace(partial, destination)
    return manifest


def default_filename() -> str:
    return f"kieumau-{timezone.localtime():%Y%m%d-%H%M%S}.tar.gz"


# -- reading and verifying ------------------------------------------------------------------------
def _safe_member_name(name: str) -> bool:
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts and "\\" not in name


def read_verified(archive: Path) -> tuple[dict, tarfile.TarFile]:
    """Open the archive and check it against its manifest before anything is restored.

    Protects the database from a damaged or altered archive: every member must be a regular
    file listed in the manifest with a matching SHA-256 and size, none may be missing, and no
    name may leave its folder. Returns (manifest, the open tar) or raises BackupRefused.
    """
    archive = Path(archive)
    if not archive.is_file():
        raise BackupRefused(f"không tìm thấy tệp sao lưu '{archive}'")
    try:
        tar = tarfile.open(archive, "r:gz")  # noqa: SIM115 - handed to the caller, who closes it
        members = {m.name: m for m in tar.getmembers()}
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupRefused(f"tệp '{archive.name}' không phải bản sao lưu hợp lệ: {exc}") from exc
    try:
        if MANIFEST not in members:
            raise BackupRefused(f"tệp '{archive.name}' thiếu manifest.json; không phải bản sao lưu")
        manifest = json.loads(tar.extractfile(members[MANIFEST]).read())
        if manifest.get("format") != FORMAT or manifest.get("application") != "kieumau":
            raise BackupRefused("bản sao lưu có định dạng không được hỗ trợ")
        listed = manifest.get("members", {})
        problems = []
        for name, member in members.items():
            if name == MANIFEST:
                continue
            if not _safe_member_name(name) or not member.isfile():
                problems.append(f"phần '{name}' có tên hoặc kiểu không hợp lệ")
            elif name not in listed:
                problems.append(f"phần '{name}' không có trong manifest")
        for name, expected in listed.items():
            member = members.get(name)
            if member is None:
                problems.append(f"thiếu phần '{name}'")
                continue
            if not member.isfile():
                continue
            digest = hashlib.sha256()
            with tar.extractfile(member) as fh:
                for chunk in iter(lambda fh=fh: fh.read(1 << 20), b""):
                    digest.update(chunk)
            if digest.hexdigest() != expected.get("sha256") or member.size != expected.get("size"):
                problems.append(f"phần '{name}' có mã kiểm tra SHA-256 không khớp")
        if problems:
            shown = "; ".join(problems[:5])
            more = f" (và {len(problems) - 5} lỗi khác)" if len(problems) > 5 else ""
            raise BackupRefused(
                f"bản sao lưu bị hỏng hoặc đã bị sửa, không khôi phục: {shown}{more}"
            )
    except BackupRefused:
        tar.close()
        raise
    except (ValueError, KeyError, tarfile.TarError, OSError, EOFError) as exc:
        tar.close()
        raise BackupRefused(f"không đọc được bản sao lưu '{archive.name}': {exc}") from exc
    return manifest, tar


def database_has_data() -> bool:
    """True when the database already holds users, units or an audit trail."""
    from kieumau.accounts.models import User
    from kieumau.audit.models import AuditEntry
    from kieumau.orgunits.models import OrgUnit

    return User.objects.exists() or OrgUnit.objects.exists() or AuditEntry.objects.exists()


# -- restoring --------------------------------------------------------------------------------
def _clear_tables(models) -> None:
    """Empty the tables of `models` (inside the caller's transaction).

    The audit table refuses DELETE through a trigger; on SQLite the trigger is lifted for the
    statement and put back right after (PostgreSQL empties with TRUNCATE, which row triggers do
    not see). This is the only place outside tests that empties the audit table: a restore
    replaces the whole history with the archive's, itself verified afterwards.
    """
    import importlib

    triggers = importlib.import_module("kieumau.audit.migrations.0002_append_only_triggers")
    connection = connections[DEFAULT_DB_ALIAS]
    tables = [m._meta.db_table for m in models]
    statements = connection.ops.sql_flush(
        no_style(), tables, reset_sequences=False, allow_cascade=False
    )
    if connection.vendor == "postgresql":
        # TRUNCATE refuses tables with deferred foreign-key checks still pending in this
        # transaction: run them now, and defer again for the load that follows.
        statements = ["SET CONSTRAINTS ALL IMMEDIATE", *statements, "SET CONSTRAINTS ALL DEFERRED"]
    if connection.vendor == "sqlite":
        lifted = set(triggers.SQLITE_DOWN) | set(triggers.SQLITE_UP)
        statements = [s for s in statements if s not in lifted]
        statements = [*triggers.SQLITE_DOWN, *statements, *triggers.SQLITE_UP]
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


@contextlib.contextmanager
def _stored_timestamps(models):
    """Keep the archive's timestamps: auto_now / auto_now_add are suspended while loading.

    bulk_create would otherwise stamp every restored row with the time of the restore (and
    change the data whose checksum the round trip compares).
    """
    switched = []
    for model in models:
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                switched.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, now_add in switched:
            f.auto_now, f.auto_now_add = now, now_add


def _load_rows(fh) -> dict[str, int]:
    """Insert every row of the dump, a model's rows in batches; returns rows per model."""
    counts: dict[str, int] = {}
    pending: list = []
    pending_model = None

    def flush():
        if not pending:
            return
        model = pending_model
        if model._meta.parents:
            for item in pending:
                item.save()
        else:
            model._base_manager.bulk_create([item.object for item in pending], batch_size=CHUNK)
            for item in pending:
                for name, values in (item.m2m_data or {}).items():
                    getattr(item.object, name).set(values)
        counts[model._meta.label_lower] = counts.get(model._meta.label_lower, 0) + len(pending)
        pending.clear()

    for raw in fh:
        row = _decode(json.loads(raw))
        model = apps.get_model(row["model"])
        if model is not pending_model or len(pending) >= CHUNK:
            # Rows looked up by natural key (users by user name) must be in before their
            # referrers are read, so each model's batch is written before the next model's.
            flush()
            pending_model = model
        pending.extend(
            serializers.deserialize(
                "python", [row], ignorenonexistent=False, handle_forward_references=False
            )
        )
    flush()
    return counts


def _reset_sequences(models) -> None:
    connection = connections[DEFAULT_DB_ALIAS]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def _restore_files(manifest: dict, tar: tarfile.TarFile) -> int:
    storage = evidence_storage()
    root = reports_dir()
    written = 0
    for name in manifest["members"]:
        if name.startswith(EVIDENCE_PREFIX):
            target = name[len(EVIDENCE_PREFIX) :]
            data = tar.extractfile(name).read()
            if storage.exists(target):
                storage.delete(target)
            saved = storage.save(target, ContentFile(data))
            if saved != target:
                raise BackupRefused(f"kho minh chứng đã lưu '{target}' dưới tên khác '{saved}'")
            written += 1
        elif name.startswith(REPORTS_PREFIX):
            target = (root / name[len(REPORTS_PREFIX) :]).resolve()
            if not target.is_relative_to(root.resolve()):
                raise BackupRefused(f"phần '{name}' nằm ngoài thư mục báo cáo")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(tar.extractfile(name).read())
            written += 1
    return written


def restore_backup(archive: Path, *, force: bool = False) -> RestoreReport:
    """Restore an archive made by `create_backup` into this installation.

    Protects what is there: the archive is verified in full first (checksums, member names),
    its migrations must match this database's, and a database that already holds data is only
    replaced with `force`. All rows are replaced in one transaction, then the files are written
    and the audit chain is verified; a broken chain is reported as a refusal.
    """
    from kieumau.audit.verify import verify_chain

    manifest, tar = read_verified(archive)
    with tar:
        here = applied_migrations()
        there = manifest["database"]["migrations"]
        missing = sorted(
            f"{app}.{name}"
            for app, names in there.items()
            for name in names
            if name not in set(here.get(app, []))
        )
        if missing:
            raise BackupRefused(
                "bản sao lưu được tạo từ phiên bản mới hơn (thiếu các migration: "
                f"{', '.join(missing[:5])}); hãy cập nhật phần mềm và chạy `kieumau migrate` "
                "trước khi khôi phục"
            )
        if database_has_data() and not force:
            raise BackupRefused(
                "cơ sở dữ liệu đã có dữ liệu; khôi phục sẽ xóa toàn bộ dữ liệu hiện có. "
                "Dùng --force nếu chắc chắn muốn ghi đè"
            )
        models = backed_up_models()
        with transaction.atomic():
            _clear_tables(models + auto_created_tables(models))
            with tar.extractfile(DATABASE) as fh, _stored_timestamps(models):
                counts = _load_rows(fh)
            _reset_sequences(models)
            expected = {k: v for k, v in manifest["tables"].items() if v}
            if {k: v for k, v in counts.items() if v} != expected:
                raise BackupRefused("số dòng đã khôi phục không khớp với manifest; đã hoàn tác")
        files = _restore_files(manifest, tar)
    report = verify_chain()
    if not report.ok:
        raise BackupRefused(
            f"đã khôi phục nhưng chuỗi nhật ký không hợp lệ tại mục {report.first_broken_seq}: "
            f"{report.reason}"
        )
    return RestoreReport(rows=counts, files=files, audit_checked=report.checked)
