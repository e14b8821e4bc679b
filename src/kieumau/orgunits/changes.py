"""Reorganisation files (CSV or YAML) parsed into a list of `Change` rows.

Parsing checks only the shape of each row (known action, dates, kinds, required fields) and says
in Vietnamese which row is wrong; consistency against the database is the service's job.
See docs/reorganisation-files.md for the format.
"""

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field

import yaml

from kieumau.core.errors import Problem, ValidationFailed
from kieumau.orgunits.choices import EventKind, Kind, Status

ACTIONS = {k.value for k in EventKind}
# Stable, URL-safe unit codes: upper-case ASCII letters, digits, "-", "_", "."; never a word a
# page path uses (those are lower-case).
CODE_PATTERN = re.compile(r"[A-Z0-9][A-Z0-9._-]{0,39}")
CSV_COLUMNS = [
    "action",
    "code",
    "effective_date",
    "name",
    "kind",
    "parent_code",
    "from_codes",
    "to_codes",
    "status",
    "legal_basis",
    "legal_basis_date",
    "note",
    "synthetic",
]


@dataclass
class Change:
    """One requested change to the hierarchy, with the row it came from."""

    row: int
    action: str
    code: str
    effective_date: dt.date
    name: str = ""
    kind: str = ""
    parent_code: str = ""
    from_codes: list[str] = field(default_factory=list)
    to_codes: list[str] = field(default_factory=list)
    status: str = ""
    legal_basis: str = ""
    legal_basis_date: dt.date | None = None
    note: str = ""
    is_synthetic: bool = False


@dataclass
class ReorganisationFile:
    name: str
    effective_date: dt.date | None
    legal_basis: str
    changes: list[Change]


def parse_date(value, *, row: int | None, field_name: str) -> dt.date:
    """A date from YYYY-MM-DD or DD/MM/YYYY, else a Vietnamese error naming the row and field."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationFailed(
        [
            Problem(
                f"ngày '{text}' ở cột {field_name} không hợp lệ (dùng YYYY-MM-DD hoặc DD/MM/YYYY)",
                f"invalid date '{text}' in {field_name}",
                field=field_name,
                row=row,
            )
        ]
    )


def _codes(value) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [c.strip() for c in str(value).replace(",", ";").split(";") if c.strip()]


def _flag(value) -> bool:
    return str(value).strip().lower() in {"1", "true", "yes", "có", "x"}


def change_from_mapping(raw: dict, *, row: int, defaults: dict) -> Change:
    """Build and shape-check one Change from a dict (a CSV row or a YAML item)."""
    problems: list[Problem] = []
    action = str(raw.get("action") or "").strip().lower()
    code = str(raw.get("code") or "").strip()
    if action not in ACTIONS:
        problems.append(
            Problem(
                f"hành động '{action}' không hợp lệ; dùng một trong: {', '.join(sorted(ACTIONS))}",
                f"unknown action '{action}'",
                field="action",
                row=row,
            )
        )
    if not code:
        problems.append(
            Problem("thiếu mã đơn vị (cột code)", "missing code", field="code", row=row)
        )
    kind = str(raw.get("kind") or "").strip()
    if kind and kind not in Kind.values:
        problems.append(
            Problem(
                f"loại đơn vị '{kind}' không hợp lệ; dùng một trong: {', '.join(Kind.values)}",
                f"unknown kind '{kind}'",
                field="kind",
                row=row,
            )
        )
    status = str(raw.get("status") or "").strip()
    if status and status not in Status.values:
        problems.append(
            Problem(
                f"trạng thái '{status}' không hợp lệ", f"unknown status '{status}'", "status", row
            )
        )
    date_value = raw.get("effective_date") or defaults.get("effective_date")
    effective_date = None
    legal_basis_date = None
    try:
        if not date_value:
            raise ValidationFailed(
                [
                    Problem(
                        "thiếu ngày hiệu lực (effective_date)",
                        "missing effective_date",
                        "effective_date",
                        row,
                    )
                ]
            )
        effective_date = parse_date(date_value, row=row, field_name="effective_date")
        lb_date = raw.get("legal_basis_date") or defaults.get("legal_basis_date")
        if lb_date:
            legal_basis_date = parse_date(lb_date, row=row, field_name="legal_basis_date")
    except ValidationFailed as exc:
        problems.extend(exc.problems)
    change = Change(
        row=row,
        action=action,
        code=code,
        effective_date=effective_date or dt.date.min,
        name=str(raw.get("name") or "").strip(),
        kind=kind,
        parent_code=str(raw.get("parent_code") or raw.get("parent") or "").strip(),
        from_codes=_codes(raw.get("from_codes") or raw.get("from")),
        to_codes=_codes(raw.get("to_codes") or raw.get("to")),
        status=status,
        legal_basis=str(raw.get("legal_basis") or defaults.get("legal_basis") or "").strip(),
        legal_basis_date=legal_basis_date,
        note=str(raw.get("note") or "").strip(),
        is_synthetic=_flag(raw.get("synthetic", defaults.get("synthetic", False))),
    )
    problems.extend(_required_fields(change))
    if problems:
        raise ValidationFailed(problems)
    return change


_REQUIRED = {
    EventKind.CREATE: ("name", "kind"),
    EventKind.RENAME: ("name",),
    EventKind.REPARENT: ("parent_code",),
    EventKind.CHANGE_KIND: ("kind",),
    EventKind.CHANGE_STATUS: ("status",),
    EventKind.MERGE: ("from_codes",),
    EventKind.SPLIT: ("to_codes",),
    EventKind.DISSOLVE: (),
}

_FIELD_LABELS = {
    "name": "tên (name)",
    "kind": "loại đơn vị (kind)",
    "parent_code": "mã đơn vị cha (parent_code)",
    "status": "trạng thái (status)",
    "from_codes": "các đơn vị được sáp nhập (from_codes)",
    "to_codes": "các đơn vị được chia ra (to_codes)",
}


def _required_fields(change: Change) -> list[Problem]:
    if change.action not in _REQUIRED:
        return []
    return [
        Problem(
            f"hành động '{change.action}' cần {_FIELD_LABELS[name]}",
            f"action '{change.action}' needs {name}",
            field=name,
            row=change.row,
        )
        for name in _REQUIRED[change.action]
        if not getattr(change, name)
    ]


def _collect(items: list[tuple[int, dict]], defaults: dict) -> list[Change]:
    changes, problems = [], []
    for row, raw in items:
        try:
            changes.append(change_from_mapping(raw, row=row, defaults=defaults))
        except ValidationFailed as exc:
            problems.extend(exc.problems)
    if problems:
        raise ValidationFailed(problems)
    if not changes:
        raise ValidationFailed.single("tệp không có dòng thay đổi nào", "the file has no changes")
    return changes


def parse_csv(data: bytes, *, name: str = "") -> ReorganisationFile:
    """Parse a CSV reorganisation file (UTF-8, header row with the CSV_COLUMNS names)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed.single("tệp CSV phải mã hóa UTF-8", "CSV must be UTF-8") from exc
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if "action" not in header or "code" not in header or unknown:
        raise ValidationFailed.single(
            "dòng tiêu đề CSV không hợp lệ"
            + (f": cột không biết {', '.join(unknown)}" if unknown else ": cần cột action và code")
            + f". Các cột hợp lệ: {', '.join(CSV_COLUMNS)}",
            "invalid CSV header",
            row=1,
        )
    items = [
        (index, {k.strip(): (v or "").strip() for k, v in raw.items() if k})
        for index, raw in enumerate(reader, start=2)
        if any((v or "").strip() for v in raw.values() if isinstance(v, str))
    ]
    return ReorganisationFile(
        name=name, effective_date=None, legal_basis="", changes=_collect(items, {})
    )


def parse_yaml(data: bytes, *, name: str = "") -> ReorganisationFile:
    """Parse a YAML reorganisation file: top-level defaults and a `changes:` list."""
    try:
        doc = yaml.safe_load(data.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ValidationFailed.single(f"tệp YAML không đọc được: {exc}", "unreadable YAML") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("changes"), list):
        raise ValidationFailed.single(
            "tệp YAML phải có danh sách 'changes'", "YAML must have a 'changes' list"
        )
    defaults = {
        k: doc.get(k) for k in ("effective_date", "legal_basis", "legal_basis_date", "synthetic")
    }
    lines = _yaml_item_lines(data.decode("utf-8"))
    items = []
    for index, raw in enumerate(doc["changes"]):
        line = lines[index] if index < len(lines) else index + 1
        if not isinstance(raw, dict):
            raise ValidationFailed.single(
                "mỗi mục của 'changes' phải là một bảng khóa–giá trị",
                "each change must be a mapping",
                row=line,
            )
        items.append((line, raw))
    changes = _collect(items, defaults)
    effective = defaults["effective_date"]
    return ReorganisationFile(
        name=str(doc.get("name") or name),
        effective_date=parse_date(effective, row=None, field_name="effective_date")
        if effective
        else None,
        legal_basis=str(doc.get("legal_basis") or ""),
        changes=changes,
    )


def _yaml_item_lines(text: str) -> list[int]:
    """1-based line numbers of the items of the top-level `changes` list, for error messages."""
    root = yaml.compose(text)
    for key, value in getattr(root, "value", []):
        if getattr(key, "value", None) == "changes" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def parse_file(data: bytes, file_name: str) -> ReorganisationFile:
    """Pick the parser from the file name (.csv, .yaml/.yml)."""
    lower = file_name.lower()
    if lower.endswith(".csv"):
        return parse_csv(data, name=file_name)
    if lower.endswith((".yaml", ".yml")):
        return parse_yaml(data, name=file_name)
    raise ValidationFailed.single(
        f"không nhận dạng được tệp '{file_name}': dùng .csv, .yaml hoặc .yml",
        "unsupported file type",
    )
