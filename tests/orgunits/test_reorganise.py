"""Reorganisation files (CSV and YAML): a valid file applies and the as-of views follow it; every
kind of wrong file is refused with a Vietnamese message naming the row, and changes nothing.

Entry points: `reorganise_from_file`, `kieumau orgunits reorganise FILE` through call_command,
and a real `kieumau` subprocess for the exit codes.
"""

import csv
import datetime as dt
import io
import json

import pytest
import yaml
from django.core.management import CommandError, call_command

from kieumau.accounts.models import RoleAssignment
from kieumau.audit.models import AuditEntry
from kieumau.core.actors import CLI
from kieumau.core.errors import ValidationFailed
from kieumau.orgunits import selectors
from kieumau.orgunits.changes import CSV_COLUMNS, Change, parse_file
from kieumau.orgunits.models import (
    LineageEvent,
    LineageLink,
    OrgUnit,
    OrgUnitClosure,
    OrgUnitVersion,
    Reorganisation,
)
from kieumau.orgunits.services import apply_changes, reorganise_from_file
from tests.audit.test_chain import audit_log_purged_after, kieumau_env, run_kieumau

__all__ = ["audit_log_purged_after"]  # a fixture used below

D = "2026-01-01"


# -- rendering rows as files -------------------------------------------------------------------
def as_csv(rows: list[dict]) -> tuple[bytes, list[int]]:
    """CSV bytes and the row number (line) of each data row (the header is line 1)."""
    columns = [c for c in CSV_COLUMNS if any(c in r for r in rows)]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {k: ";".join(v) if isinstance(v, list) else v for k, v in row.items() if k in columns}
        )
    return buffer.getvalue().encode("utf-8"), [i + 2 for i in range(len(rows))]


def as_yaml(rows: list[dict], **header) -> tuple[bytes, list[int]]:
    """YAML bytes (header keys, then `changes:` in block style) and each item's first line."""
    lines = [yaml.safe_dump({k: v}, allow_unicode=True).rstrip("\n") for k, v in header.items()]
    lines.append("changes:")
    starts = []
    for row in rows:
        starts.append(len(lines) + 1)
        block = yaml.safe_dump([row], allow_unicode=True, sort_keys=False, default_flow_style=False)
        lines.extend("  " + line for line in block.rstrip("\n").split("\n"))
    return ("\n".join(lines) + "\n").encode("utf-8"), starts


def render(fmt: str, rows: list[dict]) -> tuple[bytes, list[int], str]:
    if fmt == "csv":
        data, lines = as_csv(rows)
        return data, lines, "sap-xep.csv"
    data, lines = as_yaml(rows, name="Sắp xếp thử")
    return data, lines, "sap-xep.yaml"


def counts() -> dict[str, int]:
    models = (
        OrgUnit,
        OrgUnitVersion,
        LineageEvent,
        LineageLink,
        Reorganisation,
        OrgUnitClosure,
        AuditEntry,
        RoleAssignment,
    )
    return {m.__name__: m.objects.count() for m in models}


def show(as_of: str, under: str | None = None) -> dict[str, dict]:
    """`kieumau orgunits show --as-of … --format json`, keyed by code."""
    out = io.StringIO()
    args = ["orgunits", "show", "--as-of", as_of, "--format", "json"]
    if under:
        args += ["--under", under]
    call_command(*args, stdout=out)
    return {row["code"]: row for row in json.loads(out.getvalue())}


# -- a valid file ------------------------------------------------------------------------------
VALID_ROWS = [
    {
        "action": "create",
        "code": "A-D2",
        "name": "Quận Mới",
        "kind": "urban_district",
        "parent_code": "A",
    },
    {"action": "reparent", "code": "A-W1", "parent_code": "A-D2"},
    {"action": "rename", "code": "A-W9", "name": "Phường Chín Mới"},
    {"action": "create", "code": "C-W2", "name": "Xã Năm", "kind": "commune", "parent_code": "C"},
    {"action": "create", "code": "C-W3", "name": "Xã Sáu", "kind": "commune", "parent_code": "C"},
    {"action": "split", "code": "C-W1", "to_codes": ["C-W2", "C-W3"]},
    {
        "action": "merge",
        "code": "C-W2",
        "from_codes": ["C-W3"],
        "name": "Xã Năm Hợp Nhất",
        "effective_date": "2026-07-01",
    },
    {"action": "dissolve", "code": "A-W9", "effective_date": "01/07/2026", "note": "giải thể"},
]


def valid_file(fmt: str) -> tuple[bytes, str]:
    if fmt == "yaml":
        data, _lines = as_yaml(
            VALID_ROWS,
            name="Sắp xếp thử nghiệm 2026",
            effective_date=dt.date(2026, 1, 1),
            legal_basis="Nghị quyết 1/2026",
            legal_basis_date=dt.date(2025, 12, 15),
        )
        return data, "sap-xep-2026.yaml"
    rows = [
        {"effective_date": D, "legal_basis": "Nghị quyết 1/2026", "legal_basis_date": "15/12/2025"}
        | row
        for row in VALID_ROWS
    ]
    data, _lines = as_csv(rows)
    return data, "sap-xep-2026.csv"


def assert_valid_file_applied() -> None:
    before = show("2025-12-31")
    assert before["A-W1"]["parent_code"] == "A"
    assert before["A-W9"]["name"] == "Phường Chín"
    assert "C-W1" in before
    assert not {"A-D2", "C-W2", "C-W3"} & set(before)

    january = show("2026-01-01")
    assert january["A-D2"]["parent_code"] == "A"
    assert january["A-D2"]["level"] == 2
    assert january["A-W1"]["parent_code"] == "A-D2"
    assert january["A-W9"]["name"] == "Phường Chín Mới"
    assert "C-W1" not in january
    assert {january["C-W2"]["parent_code"], january["C-W3"]["parent_code"]} == {"C"}

    june = show("2026-06-30")
    assert june.keys() == january.keys()
    july = show("2026-07-01")
    assert not {"C-W1", "C-W3", "A-W9"} & set(july)
    assert july["C-W2"]["name"] == "Xã Năm Hợp Nhất"
    assert set(show("2026-07-01", under="C")) == {"C", "C-W2"}

    c_w1 = selectors.unit_history(CLI, "C-W1")
    assert {code for code, _ in c_w1.successors} == {"C-W2", "C-W3"}
    c_w2 = selectors.unit_history(CLI, "C-W2")
    assert {code for code, _ in c_w2.predecessors} == {"C-W1", "C-W3"}
    a_w9_versions = [
        (v.valid_from, v.valid_to, v.name) for v in selectors.unit_history(CLI, "A-W9").versions
    ]
    assert a_w9_versions == [
        (dt.date(2025, 7, 1), dt.date(2026, 1, 1), "Phường Chín"),
        (dt.date(2026, 1, 1), dt.date(2026, 7, 1), "Phường Chín Mới"),
    ]

    reorg = Reorganisation.objects.get(file_name__startswith="sap-xep-2026")
    assert reorg.summary["rows"] == len(VALID_ROWS)
    assert reorg.summary["events"] == {
        "create": 3,
        "reparent": 1,
        "rename": 1,
        "split": 1,
        "merge": 1,
        "dissolve": 1,
    }
    events = LineageEvent.objects.filter(reorganisation=reorg)
    assert {e.legal_basis for e in events} == {"Nghị quyết 1/2026"}
    assert events.get(kind="dissolve").note == "giải thể"
    applied = (
        AuditEntry.objects.filter(event="orgunits.reorganisation_applied").order_by("seq").last()
    )
    assert applied.target_id == str(reorg.pk)
    assert applied.after["rows"] == len(VALID_ROWS)
    assert AuditEntry.objects.filter(event="orgunits.split", unit__code="C-W1").exists()


@pytest.mark.parametrize("fmt", ["yaml", "csv"])
def test_valid_file_applies_through_the_service(hierarchy, fmt):
    data, name = valid_file(fmt)
    reorg = reorganise_from_file(actor=CLI, data=data, file_name=name)
    assert reorg.file_name == name
    assert len(reorg.file_sha256) == 64
    assert_valid_file_applied()


@pytest.mark.parametrize("fmt", ["yaml", "csv"])
def test_valid_file_applies_through_the_command(hierarchy, fmt, tmp_path):
    data, name = valid_file(fmt)
    path = tmp_path / name
    path.write_bytes(data)
    out = io.StringIO()
    call_command("orgunits", "reorganise", str(path), stdout=out)
    assert f"{len(VALID_ROWS)} dòng" in out.getvalue()
    assert_valid_file_applied()


def test_yaml_file_name_and_defaults(hierarchy):
    data, _lines = as_yaml(
        [{"action": "rename", "code": "C-W1", "name": "Xã Bốn Mới"}],
        name="Đổi tên xã",
        effective_date=dt.date(2026, 3, 1),
        legal_basis="QĐ 9",
    )
    reorg = reorganise_from_file(actor=CLI, data=data, file_name="doi-ten.yml")
    assert reorg.name == "Đổi tên xã"
    assert reorg.effective_date == dt.date(2026, 3, 1)
    assert show("2026-03-01")["C-W1"]["name"] == "Xã Bốn Mới"
    assert show("2026-02-28")["C-W1"]["name"] == "Xã Bốn"


# -- invalid files: refused, row named, nothing changed ----------------------------------------
VALID_FIRST = {"action": "rename", "code": "C-W1", "name": "Xã Bốn Mới", "effective_date": D}

# id -> (rows after the valid first row, index of the row to be named, message fragments)
INVALID = {
    "mapped twice": (
        [
            {"action": "merge", "code": "A-W1", "from_codes": ["A-W9"], "effective_date": D},
            {"action": "dissolve", "code": "A-W9", "effective_date": D},
        ],
        2,
        ["đơn vị 'A-W9' đã được xử lý ở dòng", "chỉ được ánh xạ một lần"],
    ),
    "cycle": (
        [{"action": "reparent", "code": "A", "parent_code": "A-W1", "effective_date": D}],
        1,
        ["vòng lặp"],
    ),
    "overlapping dates": (
        [{"action": "rename", "code": "A-W1", "name": "Cũ", "effective_date": "2024-01-01"}],
        1,
        ["đã có thay đổi từ ngày 01/03/2025", "chồng lấn"],
    ),
    "unknown code": (
        [{"action": "rename", "code": "KHONG-CO", "name": "X", "effective_date": D}],
        1,
        ["mã đơn vị 'KHONG-CO' không tồn tại"],
    ),
    "unknown parent": (
        [
            {
                "action": "create",
                "code": "C-W5",
                "name": "Xã Năm",
                "kind": "commune",
                "parent_code": "KHONG-CO",
                "effective_date": D,
            }
        ],
        1,
        ["mã đơn vị 'KHONG-CO' không tồn tại"],
    ),
    "unknown from": (
        [{"action": "merge", "code": "A-W1", "from_codes": ["KHONG-CO"], "effective_date": D}],
        1,
        ["mã đơn vị 'KHONG-CO' không tồn tại"],
    ),
    "unknown to": (
        [{"action": "split", "code": "A-W9", "to_codes": ["KHONG-CO"], "effective_date": D}],
        1,
        ["mã đơn vị 'KHONG-CO' không tồn tại"],
    ),
    "bad date": (
        [{"action": "rename", "code": "A-W1", "name": "X", "effective_date": "31/02/2026"}],
        1,
        ["ngày '31/02/2026'", "không hợp lệ"],
    ),
    "unknown action": (
        [{"action": "doi_ten", "code": "A-W1", "name": "X", "effective_date": D}],
        1,
        ["hành động 'doi_ten' không hợp lệ"],
    ),
    "unknown kind": (
        [
            {
                "action": "create",
                "code": "C-W5",
                "name": "Xã Năm",
                "kind": "thon_xom",
                "parent_code": "C",
                "effective_date": D,
            }
        ],
        1,
        ["loại đơn vị 'thon_xom' không hợp lệ"],
    ),
    "missing name": (
        [{"action": "rename", "code": "A-W1", "effective_date": D}],
        1,
        ["hành động 'rename' cần tên (name)"],
    ),
    "missing from": (
        [{"action": "merge", "code": "A-W1", "effective_date": D}],
        1,
        ["cần các đơn vị được sáp nhập (from_codes)"],
    ),
    "missing date": (
        [{"action": "rename", "code": "A-W1", "name": "X"}],
        1,
        ["thiếu ngày hiệu lực"],
    ),
    "dissolve with children": (
        [{"action": "dissolve", "code": "A", "effective_date": D}],
        1,
        ["'A-W1' vẫn thuộc đơn vị 'A' đã không còn hoạt động"],
    ),
    "child under a lower level": (
        [{"action": "reparent", "code": "C", "parent_code": "A-W9", "effective_date": D}],
        1,
        ["'C' (", "không thể trực thuộc 'A-W9'"],
    ),
    "same level parent": (
        [{"action": "reparent", "code": "C-W1", "parent_code": "A-W9", "effective_date": D}],
        1,
        ["không thể trực thuộc 'A-W9'"],
    ),
    "merge into a unit that ended": (
        [{"action": "merge", "code": "A-W2", "from_codes": ["A-W1"], "effective_date": D}],
        1,
        ["đơn vị 'A-W2' không còn hoạt động vào ngày 01/01/2026"],
    ),
}


def _invalid(fmt: str, case: str):
    rows, bad_index, fragments = INVALID[case]
    data, lines, name = render(fmt, [VALID_FIRST, *rows])
    return data, name, f"Dòng {lines[bad_index]}: ", fragments


def _assert_named(messages: list[str], prefix: str, fragments: list[str]) -> None:
    for fragment in fragments:
        assert any(m.startswith(prefix) and fragment in m for m in messages), (
            f"no message starting {prefix!r} containing {fragment!r} in {messages}"
        )


@pytest.mark.parametrize("fmt", ["csv", "yaml"])
@pytest.mark.parametrize("case", INVALID)
def test_invalid_file_is_refused_by_the_service(hierarchy, fmt, case):
    data, name, prefix, fragments = _invalid(fmt, case)
    before = counts()
    with pytest.raises(ValidationFailed) as exc_info:
        reorganise_from_file(actor=CLI, data=data, file_name=name)
    _assert_named(exc_info.value.messages(), prefix, fragments)
    assert counts() == before
    assert show("2026-01-01")["C-W1"]["name"] == "Xã Bốn"  # the valid first row did not land


@pytest.mark.parametrize("fmt", ["csv", "yaml"])
@pytest.mark.parametrize("case", INVALID)
def test_invalid_file_is_refused_by_the_command(hierarchy, fmt, case, tmp_path):
    data, name, prefix, fragments = _invalid(fmt, case)
    path = tmp_path / name
    path.write_bytes(data)
    before = counts()
    err = io.StringIO()
    with pytest.raises(CommandError) as exc_info:
        call_command("orgunits", "reorganise", str(path), stdout=io.StringIO(), stderr=err)
    assert exc_info.value.returncode == 1
    assert "không có gì thay đổi" in str(exc_info.value)
    _assert_named(err.getvalue().splitlines(), prefix, fragments)
    assert counts() == before


def test_every_problem_of_a_file_is_listed(hierarchy):
    rows = [
        {"action": "rename", "code": "A-W1", "name": "X", "effective_date": "ngày mai"},
        {"action": "create", "code": "Z", "name": "Z", "kind": "tinh", "effective_date": D},
        {"action": "bay", "code": "", "effective_date": D},
    ]
    data, lines = as_csv(rows)
    with pytest.raises(ValidationFailed) as exc_info:
        reorganise_from_file(actor=CLI, data=data, file_name="nhieu-loi.csv")
    messages = exc_info.value.messages()
    _assert_named(messages, f"Dòng {lines[0]}: ", ["ngày 'ngày mai'"])
    _assert_named(messages, f"Dòng {lines[1]}: ", ["loại đơn vị 'tinh'"])
    _assert_named(messages, f"Dòng {lines[2]}: ", ["hành động 'bay'", "thiếu mã đơn vị"])


def test_service_problems_of_several_rows_are_all_listed(hierarchy):
    rows = [
        {"action": "rename", "code": "KHONG-1", "name": "X", "effective_date": D},
        {"action": "rename", "code": "KHONG-2", "name": "Y", "effective_date": D},
    ]
    data, lines = as_csv(rows)
    with pytest.raises(ValidationFailed) as exc_info:
        reorganise_from_file(actor=CLI, data=data, file_name="x.csv")
    assert exc_info.value.messages() == [
        f"Dòng {lines[0]}: mã đơn vị 'KHONG-1' không tồn tại",
        f"Dòng {lines[1]}: mã đơn vị 'KHONG-2' không tồn tại",
    ]


# -- whole-file problems -----------------------------------------------------------------------
WHOLE_FILE = {
    "csv bad header": (
        b"hanh_dong,code,effective_date\nrename,A-W1,2026-01-01\n",
        "x.csv",
        "Dòng 1: dòng tiêu đề CSV không hợp lệ: cột không biết hanh_dong",
    ),
    "csv without code column": (
        b"action,name,effective_date\nrename,X,2026-01-01\n",
        "x.csv",
        "dòng tiêu đề CSV không hợp lệ: cần cột action và code",
    ),
    "csv not utf-8": (
        "action,code,effective_date,name\nrename,A-W1,2026-01-01,Phường Một Mới\n".encode("utf-16"),
        "x.csv",
        "tệp CSV phải mã hóa UTF-8",
    ),
    "csv without rows": (
        b"action,code,effective_date\n",
        "x.csv",
        "tệp không có dòng thay đổi nào",
    ),
    "yaml without changes": (
        "name: Thiếu danh sách\neffective_date: 2026-01-01\n".encode(),
        "x.yaml",
        "tệp YAML phải có danh sách 'changes'",
    ),
    "yaml changes not a list": (b"changes: 3\n", "x.yml", "tệp YAML phải có danh sách 'changes'"),
    "yaml item not a mapping": (
        b"changes:\n  - rename A-W1\n",
        "x.yaml",
        "Dòng 2: mỗi mục của 'changes' phải là một bảng khóa–giá trị",
    ),
    "yaml unreadable": (b"changes: [\n  - {a: 1\n", "x.yaml", "tệp YAML không đọc được"),
    "not csv or yaml": (
        b"action,code\nrename,A-W1\n",
        "sap-xep.txt",
        "không nhận dạng được tệp 'sap-xep.txt': dùng .csv, .yaml hoặc .yml",
    ),
    "excel file": (b"PK\x03\x04", "sap-xep.xlsx", "không nhận dạng được tệp 'sap-xep.xlsx'"),
}


@pytest.mark.parametrize("case", WHOLE_FILE)
def test_whole_file_problems(hierarchy, case, tmp_path):
    data, name, message = WHOLE_FILE[case]
    before = counts()
    with pytest.raises(ValidationFailed) as exc_info:
        reorganise_from_file(actor=CLI, data=data, file_name=name)
    assert any(message in m for m in exc_info.value.messages()), exc_info.value.messages()
    path = tmp_path / name
    path.write_bytes(data)
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("orgunits", "reorganise", str(path), stdout=io.StringIO(), stderr=err)
    assert message in err.getvalue()
    assert counts() == before


def test_missing_file_exits_2(hierarchy, tmp_path):
    with pytest.raises(CommandError) as exc_info:
        call_command("orgunits", "reorganise", str(tmp_path / "khong-co.csv"))
    assert exc_info.value.returncode == 2
    assert "Không tìm thấy tệp" in str(exc_info.value)


def test_parse_file_accepts_both_date_forms_and_code_lists():
    data, _lines = as_csv(
        [
            {
                "action": "merge",
                "code": "X",
                "effective_date": "01/07/2025",
                "from_codes": "A; B,C",
                "synthetic": "có",
            }
        ]
    )
    (change,) = parse_file(data, "x.CSV").changes
    assert change.effective_date == dt.date(2025, 7, 1)
    assert change.from_codes == ["A", "B", "C"]
    assert change.is_synthetic is True


def test_csv_with_byte_order_mark(hierarchy):
    data, _lines = as_csv(
        [{"action": "rename", "code": "C-W1", "name": "Mới", "effective_date": D}]
    )
    reorganise_from_file(actor=CLI, data=b"\xef\xbb\xbf" + data, file_name="bom.csv")
    assert show(D)["C-W1"]["name"] == "Mới"


# -- future-dated history must stay a tree -----------------------------------------------------
def _setup_future_parent():
    day = dt.date(2026, 1, 1)
    apply_changes(
        actor=CLI,
        name="setup",
        changes=[
            Change(
                row=1,
                action="create",
                code="P",
                effective_date=day,
                name="P",
                kind="province",
                parent_code="VN",
            ),
            Change(
                row=2,
                action="create",
                code="Q",
                effective_date=day,
                name="Q",
                kind="province",
                parent_code="VN",
            ),
            Change(
                row=3,
                action="create",
                code="Q-D",
                effective_date=day,
                name="QD",
                kind="town",
                parent_code="Q",
            ),
        ],
    )


def _dangling_parents(as_of: dt.date) -> list[tuple[str, str]]:
    rows = selectors.units_as_of(CLI, as_of)
    codes = {r.code for r in rows}
    return [(r.code, r.parent_code) for r in rows if r.parent_code and r.parent_code not in codes]


def test_dissolving_a_future_parent_is_refused(hierarchy):
    _setup_future_parent()
    apply_changes(
        actor=CLI,
        name="move later",
        changes=[
            Change(
                row=1,
                action="reparent",
                code="Q-D",
                effective_date=dt.date(2027, 1, 1),
                parent_code="P",
            )
        ],
    )
    before = counts()
    with pytest.raises(ValidationFailed) as exc_info:
        apply_changes(
            actor=CLI,
            name="dissolve",
            changes=[
                Change(row=1, action="dissolve", code="P", effective_date=dt.date(2026, 6, 1))
            ],
        )
    assert counts() == before
    assert any(
        m.startswith("Dòng 1: ngày 01/01/2027: đơn vị 'Q-D' vẫn thuộc")
        for m in exc_info.value.messages()
    ), exc_info.value.messages()
    assert _dangling_parents(dt.date(2027, 2, 1)) == []


def test_moving_under_a_unit_already_dissolved_later_is_refused(hierarchy):
    _setup_future_parent()
    apply_changes(
        actor=CLI,
        name="dissolve later",
        changes=[Change(row=1, action="dissolve", code="P", effective_date=dt.date(2026, 6, 1))],
    )
    before = counts()
    with pytest.raises(ValidationFailed) as exc_info:
        apply_changes(
            actor=CLI,
            name="move",
            changes=[
                Change(
                    row=1,
                    action="reparent",
                    code="Q-D",
                    effective_date=dt.date(2026, 3, 1),
                    parent_code="P",
                )
            ],
        )
    assert counts() == before
    assert any(
        m.startswith("Dòng 1: ngày 01/06/2026: đơn vị 'Q-D' vẫn thuộc")
        for m in exc_info.value.messages()
    ), exc_info.value.messages()
    assert _dangling_parents(dt.date(2026, 7, 1)) == []


# -- the real command line: exit codes ---------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_command_line_exit_codes(hierarchy, audit_log_purged_after, tmp_path):
    env = kieumau_env(tmp_path)

    def shown(as_of: str) -> dict[str, dict]:
        result = run_kieumau("orgunits", "show", "--as-of", as_of, "--format", "json", env=env)
        assert result.returncode == 0, result.stderr
        return {row["code"]: row for row in json.loads(result.stdout)}

    before = shown("2026-01-01")
    bad, lines, name = render("yaml", [VALID_FIRST, *INVALID["dissolve with children"][0]])
    (tmp_path / name).write_bytes(bad)
    refused = run_kieumau("orgunits", "reorganise", str(tmp_path / name), env=env)
    assert refused.returncode == 1
    assert f"Dòng {lines[1]}: " in refused.stderr
    assert "không có gì thay đổi" in refused.stderr
    assert shown("2026-01-01") == before

    good, good_name = valid_file("csv")
    (tmp_path / good_name).write_bytes(good)
    applied = run_kieumau("orgunits", "reorganise", str(tmp_path / good_name), env=env)
    assert applied.returncode == 0, applied.stderr
    assert "Đã áp dụng" in applied.stdout
    after = shown("2026-01-01")
    assert after["A-W1"]["parent_code"] == "A-D2"
    assert "C-W1" not in after

    def tree(rows):
        return {code: (r["name"], r["parent_code"]) for code, r in rows.items()}

    assert tree(shown("2025-12-31")) == tree(before)

    missing = run_kieumau("orgunits", "reorganise", str(tmp_path / "khong-co.yaml"), env=env)
    assert missing.returncode == 2
    assert "Không tìm thấy tệp" in missing.stderr
