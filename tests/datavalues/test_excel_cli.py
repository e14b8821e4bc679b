"""`kieumau data template|import`: files written and read, exit codes 0 / 1 / 2, messages.

Most tests use call_command and read CommandError.returncode; one runs the real `kieumau`
executable on a fresh SQLite file, as an operator would.
"""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.criteria.conftest import DEFAULT_22
from tests.datavalues.test_excel_support import (
    MAY_SHEET,
    VALID_ROW,
    counts,
    fill,
    filled_may,
    open_book,
    row_cells,
    stored,
)

KIEUMAU = Path(sys.executable).parent / "kieumau"


def data(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("data", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(*args) -> tuple[int, str, str]:
    err = StringIO()
    before = counts()
    with pytest.raises(CommandError) as exc:
        call_command("data", *args, stdout=StringIO(), stderr=err)
    assert counts() == before
    return exc.value.returncode, str(exc.value), err.getvalue()


def test_template_then_import_twice(hierarchy, forms, tmp_path):
    path = tmp_path / "tinh-a.xlsx"
    out, err = data("template", "--under", "A", "--period", "2025-05", "-o", str(path))
    assert out.startswith(f"Đã ghi biểu mẫu {path} (")
    assert err == ""
    assert open_book(path.read_bytes()).sheetnames == [MAY_SHEET, "_kieumau"]

    path.write_bytes(fill(path.read_bytes(), row_cells(8, VALID_ROW)))
    out, err = data("import", str(path))
    assert out.strip() == (
        "Đã nhập tệp tinh-a.xlsx: 8 giá trị mới, 0 giá trị được sửa, 0 giá trị không đổi."
    )
    assert err == ""
    assert stored("A-W1")["crime_reports_received"] == 10
    out, _ = data("import", str(path))
    assert "0 giá trị mới, 0 giá trị được sửa, 8 giá trị không đổi." in out


def test_several_periods_and_a_single_unit(hierarchy, forms, tmp_path):
    path = tmp_path / "w1.xlsx"
    data(
        "template", "--unit", "A-W1", "--period", "2025-05", "--period", "2025-06", "-o", str(path)
    )
    assert open_book(path.read_bytes()).sheetnames == [
        "BC-THANG 2025-05",
        "BC-THANG 2025-06",
        "_kieumau",
    ]


def test_warnings_are_printed_after_the_summary(hierarchy, forms, tmp_path):
    path = tmp_path / "a.xlsx"
    row = list(VALID_ROW)
    row[2] = 50  # stated 50% while 8/10 = 80%: a warning, not an error
    path.write_bytes(fill(filled_may(), row_cells(8, row)))
    out, _ = data("import", str(path))
    lines = out.strip().splitlines()
    assert lines[0].startswith("Đã nhập tệp a.xlsx: 16 giá trị mới")
    assert lines[1].startswith(f"Cảnh báo: Trang '{MAY_SHEET}': 'A-W1' kỳ 2025-05:")


def test_a_refused_import_exits_1_with_located_errors_and_a_report(hierarchy, forms, tmp_path):
    path = tmp_path / "sai.xlsx"
    report = tmp_path / "loi.xlsx"
    path.write_bytes(fill(filled_may(), {"D8": "mười", "G9": -2}))
    code, message, stderr = refused("import", str(path), "--report", str(report))
    assert code == 1
    assert message == "Không có giá trị nào được ghi."
    lines = stderr.strip().splitlines()
    assert lines[0].startswith(f"Trang '{MAY_SHEET}', ô D8: crime_reports_received")
    assert "'mười' không phải là số" in lines[0]
    assert lines[1].startswith(f"Trang '{MAY_SHEET}', ô G9: ")
    assert lines[-1] == f"Báo cáo lỗi: {report}"
    rows = list(open_book(report.read_bytes()).active.iter_rows(min_row=2, values_only=True))
    assert [r[:3] for r in rows] == [(MAY_SHEET, "D8", "mười"), (MAY_SHEET, "G9", "-2")]


def test_a_file_that_is_not_xlsx_exits_1(hierarchy, forms, tmp_path):
    path = tmp_path / "so-lieu.csv"
    path.write_text("unit,value\nA-W1,1\n", encoding="utf-8")
    code, _, stderr = refused("import", str(path))
    assert code == 1
    assert "tệp 'so-lieu.csv': không phải là tệp Excel .xlsx" in stderr


def test_a_file_over_the_limit_is_refused_before_reading(hierarchy, forms, tmp_path, settings):
    settings.KIEUMAU_UPLOAD_MAX_BYTES = 100
    path = tmp_path / "lon.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\0" * 5000)
    code, _, stderr = refused("import", str(path))
    assert code == 1
    assert "dung lượng 5 KB vượt giới hạn 1 KB" in stderr


def test_unknown_unit_period_user_or_file_exit_2(hierarchy, forms, tmp_path, make_user):
    out = str(tmp_path / "x.xlsx")
    code, message, _ = refused("template", "--unit", "KHONG", "--period", "2025-05", "-o", out)
    assert (code, message) == (2, "không tìm thấy đơn vị 'KHONG'")
    code, _, stderr = refused("template", "--under", "A", "--period", "2025-13", "-o", out)
    assert code == 2
    assert stderr.strip()
    code, message, _ = refused(
        "template", "--under", "A", "--period", "2025-05", "-o", out, "--as", "khong-ai"
    )
    assert (code, message) == (2, "không tìm thấy người dùng 'khong-ai'")
    code, message, _ = refused("import", str(tmp_path / "khong-co.xlsx"))
    assert code == 2
    assert message.startswith("không đọc được tệp")
    assert not (tmp_path / "x.xlsx").exists()


def test_as_user_applies_that_users_scope(hierarchy, forms, tmp_path, make_user):
    make_user("unit_officer", "A-W1", username="can-bo-w1")
    path = tmp_path / "a.xlsx"
    code, message, _ = refused(
        "template", "--under", "A", "--period", "2025-05", "-o", str(path), "--as", "can-bo-w1"
    )
    assert (code, message) == (2, "không tìm thấy đơn vị 'A'")
    path.write_bytes(filled_may())
    code, _, stderr = refused("import", str(path), "--as", "can-bo-w1")
    assert code == 1
    assert "không tìm thấy đơn vị 'A-W2'" in stderr


def test_set_and_get_still_work(hierarchy, forms):
    out, _ = data("set", "--unit", "A-W1", "--period", "2025-05", "crime_social_order=3")
    assert out.strip() == "Đã ghi 1 giá trị cho A-W1, kỳ 2025-05."
    out, _ = data("get", "--unit", "A-W1", "--period", "2025-05")
    assert out.strip() == "crime_social_order\t3"


def test_the_real_executable_round_trip(tmp_path):
    """migrate → units → criteria → template → fill → import (0) → bad file (1) → bad unit (2)."""
    env = {
        **os.environ,
        "KIEUMAU_DATABASE_URL": f"sqlite:///{tmp_path / 'kieumau.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "kieumau.config.settings",
    }

    def kieumau(*args):
        return subprocess.run(
            [str(KIEUMAU), *args], env=env, capture_output=True, text=True, check=False
        )

    assert kieumau("migrate", "--no-input", "-v", "0").returncode == 0
    units = tmp_path / "units.csv"
    units.write_text(
        "action,code,effective_date,name,kind,parent_code\n"
        "create,VN,2020-01-01,Việt Nam,nation,\n"
        "create,P,2020-01-01,Tỉnh Thử,province,VN\n"
        "create,P-W1,2020-01-01,Phường Thử,ward,P\n",
        encoding="utf-8",
    )
    assert kieumau("orgunits", "reorganise", str(units)).returncode == 0
    assert kieumau("criteria", "import", str(DEFAULT_22)).returncode == 0
    forms_loaded = subprocess.run(
        [
            str(KIEUMAU),
            "shell",
            "-c",
            "from kieumau.core.actors import CLI; "
            "from kieumau.datavalues.forms_loader import load_default_forms; "
            "load_default_forms(CLI)",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert forms_loaded.returncode == 0, forms_loaded.stderr

    template = tmp_path / "p.xlsx"
    made = kieumau("data", "template", "--under", "P", "--period", "2025-05", "-o", str(template))
    assert made.returncode == 0, made.stderr
    template.write_bytes(fill(template.read_bytes(), row_cells(8, VALID_ROW)))
    ok = kieumau("data", "import", str(template))
    assert ok.returncode == 0, ok.stderr
    assert "8 giá trị mới" in ok.stdout
    again = kieumau("data", "import", str(template))
    assert "8 giá trị không đổi" in again.stdout

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(fill(template.read_bytes(), {"D8": "=1+1"}))
    refused_run = kieumau("data", "import", str(bad))
    assert refused_run.returncode == 1
    assert f"Trang '{MAY_SHEET}', ô D8: ô chứa công thức '=1+1'" in refused_run.stderr
    assert "Traceback" not in refused_run.stderr
    missing = kieumau("data", "template", "--unit", "KHONG", "--period", "2025-05", "-o", str(bad))
    assert missing.returncode == 2
    assert "không tìm thấy đơn vị 'KHONG'" in missing.stderr
