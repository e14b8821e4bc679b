"""The audit log is append-only and hash-chained: tampering is refused, and when a DBA goes around
the refusal anyway, `kieumau audit verify` names the first broken entry.

This module also holds the helpers other test modules use for tests that commit (subprocesses of
`kieumau`, threads): `purge_audit_log` / the `audit_log_purged_after` fixture and `kieumau_env`.
"""

import datetime as dt
import importlib
import io
import os
import sqlite3
import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction

from kieumau.accounts import services as account_services
from kieumau.audit.models import AuditChainHead, AuditEntry
from kieumau.audit.services import record
from kieumau.audit.verify import verify_chain
from kieumau.orgunits.models import OrgUnit

TRIGGERS = importlib.import_module("kieumau.audit.migrations.0002_append_only_triggers")
KIEUMAU = str(Path(sys.executable).with_name("kieumau"))


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Argon2 as configured costs ~1 s per hash; these tests only need some password."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# -- helpers shared with other test modules ----------------------------------------------------
def _execute(statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


@contextmanager
def audit_triggers_removed():
    """Simulate a DBA who drops the append-only triggers; they are recreated afterwards."""
    down = {"sqlite": TRIGGERS.SQLITE_DOWN, "postgresql": TRIGGERS.PG_DOWN}[connection.vendor]
    up = {"sqlite": TRIGGERS.SQLITE_UP, "postgresql": TRIGGERS.PG_UP}[connection.vendor]
    _execute(down)
    try:
        yield
    finally:
        _execute(up)


def purge_audit_log() -> None:
    """Empty the audit log (triggers lifted for the purpose) so a committing test can be flushed.

    Django's flush deletes rows with DELETE on SQLite, which the append-only trigger refuses; on
    PostgreSQL it truncates, which no row trigger sees. Either way, a test that committed audit
    entries cleans them up itself.
    """
    with audit_triggers_removed():
        _execute(["DELETE FROM audit_auditentry"])
    AuditChainHead.objects.all().delete()


@pytest.fixture
def audit_log_purged_after():
    yield
    purge_audit_log()


def kieumau_env(tmp_path: Path) -> dict[str, str]:
    """Environment for a `kieumau` subprocess that sees the committed test data.

    PostgreSQL: the test database itself. SQLite (in memory in tests): a file copy made now, so
    the subprocess's own writes land in the copy and are observed through further subprocesses.
    """
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        tmp_path.mkdir(parents=True, exist_ok=True)
        path = tmp_path / "kieumau-copy.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        url = f"sqlite:///{path}"
    else:
        credentials = settings_dict["USER"] or ""
        if settings_dict.get("PASSWORD"):
            credentials += f":{settings_dict['PASSWORD']}"
        host = settings_dict.get("HOST") or "127.0.0.1"
        port = settings_dict.get("PORT") or 5432
        url = f"postgresql://{credentials}@{host}:{port}/{settings_dict['NAME']}"
    return {**os.environ, "KIEUMAU_DATABASE_URL": url, "LANG": "C.UTF-8"}


def run_kieumau(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [KIEUMAU, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


# -- the chain as services write it ------------------------------------------------------------
def _write_some_entries(make_user) -> None:
    """Audit entries from several services, on top of the hierarchy fixture's."""
    admin = make_user("province_admin", "A")
    user, _password = account_services.create_user(
        actor=admin, username="nguoi-moi", full_name="Người Mới", role="viewer", unit_code="A-W1"
    )
    account_services.set_active(actor=admin, user_id=user.pk, active=False)
    account_services.set_active(actor=admin, user_id=user.pk, active=True)


def test_entries_written_by_services_verify(hierarchy, make_user):
    _write_some_entries(make_user)
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    assert len(seqs) > 10
    events = set(AuditEntry.objects.values_list("event", flat=True))
    assert {"orgunits.merge", "accounts.user_created", "accounts.user_locked"} <= events

    report = verify_chain()
    assert report.ok
    assert report.checked == len(seqs)

    first, second = AuditEntry.objects.order_by("seq")[:2]
    assert second.prev_hash == first.hash
    head = AuditChainHead.objects.get(pk=1)
    assert (head.last_seq, head.last_hash) == (seqs[-1], AuditEntry.objects.get(seq=seqs[-1]).hash)


def test_verify_command_prints_the_count(hierarchy, make_user):
    _write_some_entries(make_user)
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    count = AuditEntry.objects.count()
    assert f"{count} mục đã kiểm tra" in out.getvalue()


def test_verify_on_an_empty_log(db):
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "0 mục" in out.getvalue()


# -- refusals ----------------------------------------------------------------------------------
def _new_values(entry: AuditEntry, other_user_id: int, other_unit_id: int) -> dict:
    """A different value for every stored field of `entry`."""
    return {
        "seq": entry.seq + 1000,
        "at": entry.at - dt.timedelta(days=1),
        "actor_id": other_user_id,
        "actor_repr": "ke-gian",
        "request_id": "gia-mao",
        "event": "accounts.nothing",
        "target_type": "x.y",
        "target_id": "999",
        "target_repr": "khác",
        "unit_id": other_unit_id,
        "before": {"x": 1},
        "after": {"y": 2},
        "note": "đã sửa",
        "prev_hash": "f" * 64,
        "hash": "e" * 64,
    }


def test_every_field_edit_is_refused_by_the_database(hierarchy, make_user):
    _write_some_entries(make_user)
    entry = AuditEntry.objects.order_by("seq")[3]
    other_user = make_user("viewer", "C", username="ai-do")
    values = _new_values(entry, other_user.pk, OrgUnit.objects.get(code="C").pk)
    stored_fields = {f.attname for f in AuditEntry._meta.concrete_fields} - {"id"}
    assert set(values) == stored_fields, "a new AuditEntry field needs a tampering case here"
    for name, value in values.items():
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEntry.objects.filter(pk=entry.pk).update(**{name: value})
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry")
    assert verify_chain().ok
    assert AuditEntry.objects.get(pk=entry.pk).note == entry.note


def test_the_model_refuses_save_and_delete(hierarchy):
    entry = AuditEntry.objects.order_by("seq").first()
    entry.note = "đã sửa"
    with pytest.raises(RuntimeError, match="append-only"):
        entry.save()
    with pytest.raises(RuntimeError, match="append-only"):
        entry.delete()
    assert AuditEntry.objects.get(pk=entry.pk).note == ""


@pytest.mark.django_db(transaction=True)
def test_record_outside_a_transaction_raises(audit_log_purged_after):
    with pytest.raises(RuntimeError, match="transaction"):
        record(actor=None, event="test.outside")
    assert not AuditEntry.objects.exists()
    with transaction.atomic():
        record(actor=None, event="test.inside")
    assert AuditEntry.objects.get().seq == 1


# -- tampering around the triggers is detected -------------------------------------------------
def _edit_note(seq: int) -> int:
    AuditEntry.objects.filter(seq=seq).update(note="ai đó đã sửa")
    return seq


def _delete_middle(seq: int) -> int:
    AuditEntry.objects.filter(seq=seq).delete()
    return seq


def _truncate_tail(_seq: int) -> int:
    last = AuditEntry.objects.order_by("-seq").first().seq
    AuditEntry.objects.filter(seq__gte=last - 1).delete()
    return last - 1


def _edit_after(seq: int) -> int:
    AuditEntry.objects.filter(seq=seq).update(after={"username": "khác"})
    return seq


TAMPERING = {
    "edited note": _edit_note,
    "edited after": _edit_after,
    "deleted middle entry": _delete_middle,
    "truncated tail": _truncate_tail,
}


@pytest.mark.parametrize("tamper", TAMPERING.values(), ids=TAMPERING.keys())
def test_tampering_is_detected(hierarchy, make_user, tamper):
    _write_some_entries(make_user)
    middle = AuditEntry.objects.count() // 2
    with audit_triggers_removed():
        broken = tamper(middle)
    report = verify_chain()
    assert not report.ok
    assert report.first_broken_seq == broken
    assert report.checked == broken - 1
    with pytest.raises(CommandError, match=rf"tại mục số {broken}\b"):
        call_command("audit", "verify", stdout=io.StringIO())
    # The triggers are back: the tampered entry itself cannot be "repaired" either.
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(seq=1).update(note="")


@pytest.mark.django_db(transaction=True)
def test_verify_exit_codes_in_a_subprocess(hierarchy, audit_log_purged_after, tmp_path):
    intact = run_kieumau("audit", "verify", env=kieumau_env(tmp_path / "intact"))
    assert intact.returncode == 0, intact.stderr
    assert f"{AuditEntry.objects.count()} mục đã kiểm tra" in intact.stdout

    with audit_triggers_removed():
        _edit_note(5)
    broken = run_kieumau("audit", "verify", env=kieumau_env(tmp_path / "broken"))
    assert broken.returncode == 1
    assert "tại mục số 5" in broken.stderr


# -- concurrent writers ------------------------------------------------------------------------
def _thread_database(tmp_path: Path):
    """What each thread connects to. PostgreSQL: the test database. SQLite: the in-memory test
    database is shared-cache, whose table locks fail at once instead of waiting, unlike a real
    SQLite file; so the threads work on a file copy, where IMMEDIATE transactions and the busy
    timeout serialise writers exactly as in production."""
    if connection.vendor != "sqlite":
        return None
    path = tmp_path / "threads.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    return type(connections["default"]), {**connection.settings_dict, "NAME": str(path)}


def _in_thread(database, fn, results: list, errors: list, barrier=None):
    def run():
        if database is not None:
            wrapper_class, settings_dict = database
            connections["default"] = wrapper_class(settings_dict, "default")
        try:
            if barrier is not None:
                barrier.wait()
            results.append(fn())
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    return threading.Thread(target=run)


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_the_chain_intact(hierarchy, audit_log_purged_after, tmp_path):
    per_thread = 15
    database = _thread_database(tmp_path)

    def append(name):
        def work():
            for i in range(per_thread):
                with transaction.atomic():
                    record(actor=None, event="test.concurrent", note=f"{name}-{i}")
                    # A little more work inside the transaction widens the race window.
                    AuditEntry.objects.filter(event="test.concurrent").count()
            return name

        return work

    results, errors = [], []
    barrier = threading.Barrier(2)
    threads = [_in_thread(database, append(n), results, errors, barrier) for n in ("t1", "t2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == ["t1", "t2"]

    def check():
        entries = list(AuditEntry.objects.order_by("seq").values_list("seq", "event", "note"))
        return verify_chain(), entries

    results, errors = [], []
    checker = _in_thread(database, check, results, errors)
    checker.start()
    checker.join()
    assert errors == []
    report, entries = results[0]
    assert report.ok, report
    assert [seq for seq, _event, _note in entries] == list(range(1, len(entries) + 1))
    notes = sorted(note for _seq, event, note in entries if event == "test.concurrent")
    assert notes == sorted(f"{n}-{i}" for n in ("t1", "t2") for i in range(per_thread))
    assert report.checked == len(entries)
