"""`kieumau data set|get`: exit codes 0 (done), 1 (a value refused), 2 (unknown unit or period).

Most tests use call_command and read CommandError.returncode; one runs the real `kieumau`
executable against a fresh SQLite file, as an operator would.
"""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kieumau.audit.models import AuditEntry
from kieumau.datavalues.models import DataValue
from tests.criteria.conftest import DEFAULT_22, import_default

KIEUMAU = Path(sys.executable).parent / "kieumau"


@pytest.fixture
def default_criteria(db):
    return import_default()


def data(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("data", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(*args) -> tuple[int, str, str]:
    err = StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("data", *args, stdout=StringIO(), stderr=err)
    return exc.value.returncode, str(exc.value), err.getvalue()


@pytest.fixture
def ready(hierarchy, default_criteria):
    return None


def test_set_then_get_json(ready):
    out, err = data(
        "set", "--unit", "A-W1", "--period", "2025", "drug_users=2.160", "id_targets_met=có"
    )
    assert out.strip() == "Đã ghi 2 giá trị cho A-W1, kỳ 2025."
    assert err == ""
    out, _ = data("get", "--unit", "A-W1", "--period", "2025", "--format", "json")
    assert json.loads(out) == {
        "unit": "A-W1",
        "period": "2025",
        "values": {"drug_users": 2160, "id_targets_met": True},
    }
    table, _ = data("get", "--unit", "A-W1", "--period", "2025")
    assert "drug_users\t2160" in table


def test_a_value_with_an_equals_sign_keeps_it(ready):
    data("set", "--unit", "A-W1", "--period", "2025", "party_committee_rating=Hoàn thành nhiệm vụ")
    assert DataValue.objects.get().value == "Hoàn thành nhiệm vụ"


def test_a_bad_value_exits_1_with_the_reason_on_stderr_and_stores_nothing(ready):
    code, message, stderr = refused(
        "set", "--unit", "A-W1", "--period", "2025", "drug_users=5", "families=nhiều"
    )
    assert code == 1
    assert message == "Không có giá trị nào được ghi."
    assert "families (Số hộ gia đình)" in stderr
    assert "'nhiều' không phải là số" in stderr
    assert not DataValue.objects.exists()
    assert not AuditEntry.objects.filter(event="datavalues.values_set").exists()

    code, _, stderr = refused("set", "--unit", "A-W1", "--period", "2025", "khong_co=1")
    assert code == 1
    assert "chỉ tiêu 'khong_co' không tồn tại" in stderr
    code, _, stderr = refused("set", "--unit", "A-W1", "--period", "2025", "crime_social_order=1")
    assert code == 1
    assert "được báo cáo theo kỳ 'month'" in stderr


def test_unknown_unit_or_period_exits_2(ready, make_user):
    code, message, _ = refused("set", "--unit", "KHONG-CO", "--period", "2025", "drug_users=1")
    assert code == 2
    assert "không tìm thấy đơn vị 'KHONG-CO'" in message
    code, _, stderr = refused("set", "--unit", "A-W1", "--period", "2025-13", "drug_users=1")
    assert code == 2
    assert stderr.strip()  # the engine's Vietnamese reason
    code, _, _ = refused("set", "--unit", "A-W1", "--period", "hôm qua", "drug_users=1")
    assert code == 2
    code, message, _ = refused("set", "--unit", "A-W1", "--period", "2025", "drug_users")
    assert code == 2
    assert "phải có dạng MÃ=GIÁ_TRỊ" in message
    code, _, _ = refused("get", "--unit", "KHONG-CO", "--period", "2025")
    assert code == 2
    code, _, _ = refused("get", "--unit", "A-W1", "--period", "2025-13")
    assert code == 2
    assert not DataValue.objects.exists()


def test_a_unit_outside_the_period_is_refused(ready):
    code, _, stderr = refused("set", "--unit", "A-W9", "--period", "2024", "drug_users=1")
    assert code == 1  # the unit and period exist, just not together
    assert "đơn vị 'A-W9' không tồn tại trong kỳ 2024" in stderr


def test_the_real_executable_on_a_fresh_sqlite_file(tmp_path):
    """migrate → orgunits reorganise → criteria import → data set/get, exit codes as seen by a shell."""
    database = tmp_path / "kieumau.sqlite3"
    env = {
        **os.environ,
        "KIEUMAU_DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "kieumau.config.settings",
    }

    def kieumau(*args):
        return subprocess.run(
            [str(KIEUMAU), *args], env=env, capture_output=True, text=True, check=False
        )

    result = kieumau("migrate", "--no-input", "-v", "0")
    assert result.returncode == 0, result.stderr
    units = tmp_path / "units.csv"
    units.write_text(
        "action,code,effective_date,name,kind,parent_code\n"
        "create,VN,2020-01-01,Việt Nam,nation,\n"
        "create,P,2020-01-01,Tỉnh Thử,province,VN\n"
        "create,P-W1,2020-01-01,Phường Thử,ward,P\n",
        encoding="utf-8",
    )
    result = kieumau("orgunits", "reorganise", str(units))
    assert result.returncode == 0, result.stderr
    result = kieumau("criteria", "import", str(DEFAULT_22))
    assert result.returncode == 0, result.stderr

    ok = kieumau("data", "set", "--unit", "P-W1", "--period", "2025", "drug_users=1.234")
    assert ok.returncode == 0, ok.stderr
    assert "Đã ghi 1 giá trị cho P-W1, kỳ 2025." in ok.stdout

    bad_value = kieumau("data", "set", "--unit", "P-W1", "--period", "2025", "drug_users=-1")
    assert bad_value.returncode == 1
    assert "drug_users (Số người nghiện ma túy): -1 nằm ngoài giới hạn" in bad_value.stderr
    assert "Traceback" not in bad_value.stderr

    unknown = kieumau("data", "set", "--unit", "KHONG", "--period", "2025", "drug_users=1")
    assert unknown.returncode == 2
    assert "không tìm thấy đơn vị 'KHONG'" in unknown.stderr
    bad_period = kieumau("data", "set", "--unit", "P-W1", "--period", "2025-13", "drug_users=1")
    assert bad_period.returncode == 2
    assert "Traceback" not in bad_period.stderr

    got = kieumau("data", "get", "--unit", "P-W1", "--period", "2025", "--format", "json")
    assert got.returncode == 0, got.stderr
    assert json.loads(got.stdout)["values"] == {"drug_users": 1234}

    evaluated = kieumau("evaluate", "--unit", "P-W1", "--period", "2025", "--format", "json")
    assert evaluated.returncode == 0, evaluated.stderr
    body = json.loads(evaluated.stdout)
    assert (body["criteria_version"], body["total"]) == ("QD5764 v1", 22)
    missing = kieumau("evaluate", "--unit", "KHONG", "--period", "2025")
    assert missing.returncode == 2
