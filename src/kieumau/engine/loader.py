"""Turn plain dicts (what YAML or a JSON column gives) into a :class:`VersionSpec` and back.

The criteria set is data the Ministry edits, so the loader is where mistakes in that data must
be caught and explained — all of them in one pass, each naming its place in Vietnamese
("Chỉ tiêu 'land_area': trường 'min' phải là số", "Tiêu chí 5.2, quy tắc: chỉ tiêu
'recidivism_rate' không tồn tại"). Unknown keys are errors too: a misspelt ``evidence`` must not
silently vanish.

``version_from_dict(version_to_dict(x)) == x`` for every spec (property-tested). The dict
format is described in ``docs/criteria-format.md``; in short::

    set: {code, name_vi, name_en}
    version, status, valid_from, valid_to, reporting_year, provisional, sources, notes_vi
    scales:      {CODE: {name_vi, name_en, levels: [lowest, ..., highest]}}
    parameters:  {NAME: {value, label_vi, label_en, unit_vi, unit_en}}
    indicators:  {CODE: {name_vi, name_en, type, unit_vi, unit_en, period, aggregation,
                         min, max, choices, description_vi}}
    groups:      [{code, name_vi, name_en, order?}]
    criteria:    [{code, group, name_vi, name_en, requirement_vi, requirement_en, rule,
                   applies_to, valid_from, valid_to, evidence, provenance, order?}]

``load_version_yaml`` adds what plain ``yaml.safe_load`` lacks: duplicate keys are errors
(PyYAML would keep the last one silently) and YAML syntax errors carry line and column.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

from .errors import PeriodError, SpecError, SpecProblem
from .periods import AGGREGATIONS, CALENDAR_YEAR, PERIOD_TYPES, ReportingYear
from .spec import (
    STATUSES,
    UNIT_KINDS,
    VALUE_TYPES,
    CriterionSpec,
    GroupSpec,
    IndicatorSpec,
    ParameterSpec,
    ScaleSpec,
    VersionSpec,
)

FORMAT = "kieumau-criteria/1"

_TOP_KEYS = (
    "format",
    "set",
    "version",
    "status",
    "valid_from",
    "valid_to",
    "reporting_year",
    "provisional",
    "sources",
    "notes_vi",
    "scales",
    "parameters",
    "indicators",
    "groups",
    "criteria",
)
_SET_KEYS = ("code", "name_vi", "name_en")
_SCALE_KEYS = ("name_vi", "name_en", "levels")
_PARAM_KEYS = ("value", "label_vi", "label_en", "unit_vi", "unit_en")
_INDICATOR_KEYS = (
    "name_vi",
    "name_en",
    "type",
    "unit_vi",
    "unit_en",
    "period",
    "aggregation",
    "min",
    "max",
    "choices",
    "description_vi",
)
_GROUP_KEYS = ("code", "name_vi", "name_en", "order")
_CRITERION_KEYS = (
    "code",
    "group",
    "name_vi",
    "name_en",
    "requirement_vi",
    "requirement_en",
    "rule",
    "applies_to",
    "valid_from",
    "valid_to",
    "evidence",
    "provenance",
    "order",
)


class _Reader:
    """Collects problems while reading fields, so that one pass reports everything."""

    def __init__(self) -> None:
        self.problems: list[SpecProblem] = []

    def error(self, place: str, path: str, vi: str, en: str) -> None:
        self.problems.append(SpecProblem(place, path, vi, en))

    def mapping(self, value: Any, place: str, path: str) -> Mapping[str, Any] | None:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            self.error(place, path, "phải là một bảng (các cặp khóa: giá trị)", "must be a mapping")
            return None
        return value

    def known_keys(
        self, data: Mapping[str, Any], allowed: tuple[str, ...], place: str, path: str
    ) -> None:
        for key in data:
            if key not in allowed:
                hint = difflib.get_close_matches(str(key), allowed, 1)
                self.error(
                    place,
                    f"{path}.{key}",
                    f"trường '{key}' không được hỗ trợ"
                    + (f" (có phải '{hint[0]}'?)" if hint else ""),
                    f"unknown field '{key}'" + (f" (did you mean '{hint[0]}'?)" if hint else ""),
                )

    def text(
        self,
        data: Mapping[str, Any],
        key: str,
        place: str,
        path: str,
        *,
        required: bool = False,
        default: str = "",
    ) -> str:
        value = data.get(key)
        if value is None:
            if required:
                self.error(
                    place, f"{path}.{key}", f"thiếu trường '{key}'", f"missing field '{key}'"
                )
            return default
        if not isinstance(value, str):
            self.error(
                place,
                f"{path}.{key}",
                f"trường '{key}' phải là chuỗi ký tự",
                f"field '{key}' must be text",
            )
            return default
        if required and not value.strip():
            self.error(
                place,
                f"{path}.{key}",
                f"trường '{key}' không được để trống",
                f"field '{key}' must not be empty",
            )
        return value

    def code(self, value: Any, key: str, place: str, path: str) -> str:
        """A code: text, or an integer (YAML ``code: 1``); a float such as 3.1 is refused."""
        if isinstance(value, bool) or value is None:
            self.error(
                place,
                f"{path}.{key}",
                f"thiếu hoặc sai trường '{key}'",
                f"missing or invalid field '{key}'",
            )
            return ""
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            self.error(
                place,
                f"{path}.{key}",
                f"mã '{value}' phải viết trong dấu nháy, ví dụ \"{value}\" (nếu không, "
                "YAML đọc thành số và 3.10 thành 3.1)",
                f"code '{value}' must be quoted, e.g. \"{value}\"",
            )
            return str(value)
        if not isinstance(value, str) or not value.strip():
            self.error(
                place,
                f"{path}.{key}",
                f"trường '{key}' phải là chuỗi ký tự khác rỗng",
                f"field '{key}' must be non-empty text",
            )
            return ""
        return value

    def text_list(
        self, data: Mapping[str, Any], key: str, place: str, path: str
    ) -> tuple[str, ...]:
        value = data.get(key)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(
                place,
                f"{path}.{key}",
                f"trường '{key}' phải là danh sách các chuỗi ký tự",
                f"field '{key}' must be a list of text",
            )
            return ()
        return tuple(value)

    def date(self, data: Mapping[str, Any], key: str, place: str, path: str) -> dt.date | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.error(
            place,
            f"{path}.{key}",
            f"trường '{key}' phải là ngày dạng NNNN-TT-NN, ví dụ 2021-07-13",
            f"field '{key}' must be a date YYYY-MM-DD",
        )
        return None

    def number(
        self, data: Mapping[str, Any], key: str, place: str, path: str
    ) -> int | float | None:
        value = data.get(key)
        if value is None:
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or (isinstance(value, float) and not math.isfinite(value))
        ):
            self.error(
                place,
                f"{path}.{key}",
                f"trường '{key}' phải là số",
                f"field '{key}' must be a number",
            )
            return None
        return value

    def choice(
        self,
        data: Mapping[str, Any],
        key: str,
        allowed: tuple[str, ...],
        place: str,
        path: str,
        default: str,
    ) -> str:
        value = data.get(key, default)
        if value not in allowed:
            self.error(
                place,
                f"{path}.{key}",
                f"giá trị '{value}' của trường '{key}' không hợp lệ (chọn một trong: "
                f"{', '.join(allowed)})",
                f"invalid value '{value}' for '{key}' (one of: {', '.join(allowed)})",
            )
            return default
        return value

    def reporting_year(
        self, data: Mapping[str, Any], key: str, place: str, path: str
    ) -> ReportingYear:
        """The first day of the version's reporting year ("11-16"); absent = calendar year.

        Protects evaluation from a silently wrong year: a full date, a number or an impossible
        day is an error naming the field, never a fallback to the calendar year.
        """
        value = data.get(key)
        if value is None:
            return CALENDAR_YEAR
        try:
            return ReportingYear.from_code(value)
        except PeriodError as exc:
            self.error(
                place,
                f"{path}.{key}",
                f"trường '{key}': {exc.message_vi[:1].lower()}{exc.message_vi[1:]}",
                f"field '{key}': {exc.message_en}",
            )
            return CALENDAR_YEAR


def version_from_dict(data: Any, *, strict: bool = True) -> VersionSpec:
    """Build a :class:`VersionSpec` from a plain dict, or raise :class:`SpecError`.

    Structural problems (missing or mistyped fields, unknown keys, bad enum values) always
    raise, all of them at once. With ``strict=True`` (the default) the cross-reference and rule
    checks of :func:`~.rules.validate_version` run too and their *errors* raise as well, so a
    spec that loads is a spec that evaluates. Drafts being edited can be loaded with
    ``strict=False`` and checked with ``validate_version``.
    """
    r = _Reader()
    root = r.mapping(data, "Bộ tiêu chí", "$")
    if root is None:
        raise SpecError(r.problems)
    place = "Bộ tiêu chí"
    r.known_keys(root, _TOP_KEYS, place, "$")
    fmt = root.get("format", FORMAT)
    if fmt != FORMAT:
        r.error(
            place,
            "$.format",
            f"định dạng '{fmt}' không được hỗ trợ (cần '{FORMAT}')",
            f"unsupported format '{fmt}' (expected '{FORMAT}')",
        )
    set_data = r.mapping(root.get("set"), place, "$.set") or {}
    r.known_keys(set_data, _SET_KEYS, place, "$.set")
    set_code = r.code(set_data.get("code"), "code", place, "$.set")
    set_name_vi = r.text(set_data, "name_vi", place, "$.set", required=True)
    set_name_en = r.text(set_data, "name_en", place, "$.set")
    version = root.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        r.error(
            place,
            "$.version",
            "trường 'version' phải là số nguyên từ 1 trở lên",
            "field 'version' must be an integer >= 1",
        )
        version = 1
    status = r.choice(root, "status", STATUSES, place, "$", "draft")
    provisional = root.get("provisional", False)
    if not isinstance(provisional, bool):
        r.error(
            place,
            "$.provisional",
            "trường 'provisional' phải là true hoặc false",
            "field 'provisional' must be true or false",
        )
        provisional = False

    scales = _read_section(r, root, "scales", "Thang", lambda c, d, p, pa: _scale(r, c, d, p, pa))
    parameters = _read_section(
        r, root, "parameters", "Tham số", lambda c, d, p, pa: _parameter(r, c, d, p, pa)
    )
    indicators = _read_section(
        r, root, "indicators", "Chỉ tiêu", lambda c, d, p, pa: _indicator(r, c, d, p, pa)
    )
    groups = _read_list(r, root, "groups", lambda i, d: _group(r, i, d))
    criteria = _read_list(r, root, "criteria", lambda i, d: _criterion(r, i, d))

    spec = VersionSpec(
        set_code=set_code,
        set_name_vi=set_name_vi,
        set_name_en=set_name_en,
        version=version,
        status=status,
        valid_from=r.date(root, "valid_from", place, "$"),
        valid_to=r.date(root, "valid_to", place, "$"),
        provisional=provisional,
        sources=r.text_list(root, "sources", place, "$"),
        notes_vi=r.text(root, "notes_vi", place, "$"),
        reporting_year=r.reporting_year(root, "reporting_year", place, "$"),
        parameters=tuple(parameters),
        scales=tuple(scales),
        groups=tuple(groups),
        criteria=tuple(criteria),
        indicators=tuple(indicators),
    )
    if r.problems:
        raise SpecError(r.problems)
    if strict:
        from .rules import validate_version  # late import: rules imports this package's spec

        errors = [p for p in validate_version(spec) if p.is_error]
        if errors:
            raise SpecError(errors)
    return spec


def _read_section(
    r: _Reader,
    root: Mapping[str, Any],
    key: str,
    label: str,
    build: Callable[[str, Mapping[str, Any], str, str], Any],
) -> list[Any]:
    section = r.mapping(root.get(key), "Bộ tiêu chí", f"$.{key}")
    out = []
    for code, body in (section or {}).items():
        code_text = r.code(code, "code", f"{label} '{code}'", f"$.{key}")
        place = f"{label} '{code_text}'"
        path = f"$.{key}.{code_text}"
        body_map = r.mapping(body, place, path)
        if body_map is None:
            continue
        item = build(code_text, body_map, place, path)
        if item is not None:
            out.append(item)
    return out


def _read_list(
    r: _Reader, root: Mapping[str, Any], key: str, build: Callable[[int, Mapping[str, Any]], Any]
) -> list[Any]:
    value = root.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        r.error(
            "Bộ tiêu chí",
            f"$.{key}",
            f"trường '{key}' phải là danh sách",
            f"field '{key}' must be a list",
        )
        return []
    out = []
    for i, body in enumerate(value, start=1):
        if not isinstance(body, Mapping):
            r.error(
                "Bộ tiêu chí",
                f"$.{key}[{i}]",
                f"mục thứ {i} của '{key}' phải là một bảng",
                f"item {i} of '{key}' must be a mapping",
            )
            continue
        out.append(build(i, body))
    return out


def _scale(r: _Reader, code: str, d: Mapping[str, Any], place: str, path: str) -> ScaleSpec:
    r.known_keys(d, _SCALE_KEYS, place, path)
    return ScaleSpec(
        code=code,
        name_vi=r.text(d, "name_vi", place, path, required=True),
        name_en=r.text(d, "name_en", place, path),
        levels=r.text_list(d, "levels", place, path),
    )


def _parameter(r: _Reader, name: str, d: Mapping[str, Any], place: str, path: str) -> ParameterSpec:
    r.known_keys(d, _PARAM_KEYS, place, path)
    value = d.get("value")
    if (
        value is None
        or not isinstance(value, (bool, int, float, str))
        or (isinstance(value, float) and not math.isfinite(value))
    ):
        r.error(
            place,
            f"{path}.value",
            "trường 'value' phải là số, true/false hoặc chuỗi ký tự",
            "field 'value' must be a number, a boolean or text",
        )
        value = 0
    return ParameterSpec(
        name=name,
        value=value,
        label_vi=r.text(d, "label_vi", place, path, required=True),
        label_en=r.text(d, "label_en", place, path),
        unit_vi=r.text(d, "unit_vi", place, path),
        unit_en=r.text(d, "unit_en", place, path),
    )


def _indicator(r: _Reader, code: str, d: Mapping[str, Any], place: str, path: str) -> IndicatorSpec:
    r.known_keys(d, _INDICATOR_KEYS, place, path)
    return IndicatorSpec(
        code=code,
        name_vi=r.text(d, "name_vi", place, path, required=True),
        name_en=r.text(d, "name_en", place, path),
        value_type=r.choice(d, "type", VALUE_TYPES, place, path, "integer"),
        unit_vi=r.text(d, "unit_vi", place, path),
        unit_en=r.text(d, "unit_en", place, path),
        period_type=r.choice(d, "period", PERIOD_TYPES, place, path, "year"),
        aggregation=r.choice(d, "aggregation", AGGREGATIONS, place, path, "last"),
        min_value=r.number(d, "min", place, path),
        max_value=r.number(d, "max", place, path),
        choices=r.text_list(d, "choices", place, path),
        description_vi=r.text(d, "description_vi", place, path),
    )


def _group(r: _Reader, i: int, d: Mapping[str, Any]) -> GroupSpec:
    code = r.code(d.get("code"), "code", f"Nhóm thứ {i}", f"$.groups[{i}]")
    place, path = f"Nhóm {code}", f"$.groups[{code}]"
    r.known_keys(d, _GROUP_KEYS, place, path)
    order = d.get("order", i)
    if isinstance(order, bool) or not isinstance(order, int):
        r.error(
            place,
            f"{path}.order",
            "trường 'order' phải là số nguyên",
            "field 'order' must be an integer",
        )
        order = i
    return GroupSpec(
        code=code,
        name_vi=r.text(d, "name_vi", place, path, required=True),
        name_en=r.text(d, "name_en", place, path),
        order=order,
    )


def _criterion(r: _Reader, i: int, d: Mapping[str, Any]) -> CriterionSpec:
    code = r.code(d.get("code"), "code", f"Tiêu chí thứ {i}", f"$.criteria[{i}]")
    place, path = f"Tiêu chí {code}", f"$.criteria[{code}]"
    r.known_keys(d, _CRITERION_KEYS, place, path)
    applies_to = r.text_list(d, "applies_to", place, path)
    for kind in applies_to:
        if kind not in UNIT_KINDS:
            r.error(
                place,
                f"{path}.applies_to",
                f"loại đơn vị '{kind}' không hợp lệ (chọn: {', '.join(UNIT_KINDS)})",
                f"unknown unit kind '{kind}' (one of: {', '.join(UNIT_KINDS)})",
            )
    order = d.get("order", i)
    if isinstance(order, bool) or not isinstance(order, int):
        r.error(
            place,
            f"{path}.order",
            "trường 'order' phải là số nguyên",
            "field 'order' must be an integer",
        )
        order = i
    return CriterionSpec(
        code=code,
        group=r.code(d.get("group"), "group", place, path),
        name_vi=r.text(d, "name_vi", place, path, required=True),
        name_en=r.text(d, "name_en", place, path),
        rule=r.text(d, "rule", place, path, required=True),
        requirement_vi=r.text(d, "requirement_vi", place, path),
        requirement_en=r.text(d, "requirement_en", place, path),
        applies_to=applies_to,
        valid_from=r.date(d, "valid_from", place, path),
        valid_to=r.date(d, "valid_to", place, path),
        evidence=r.text_list(d, "evidence", place, path),
        provenance=r.text(d, "provenance", place, path),
        order=order,
    )


# ---------------------------------------------------------------------------------------------
# Dumping
# ---------------------------------------------------------------------------------------------


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    """Add ``key`` unless ``value`` is an empty default, to keep dumps readable."""
    if value is None or value == "" or value == () or value == []:
        return
    out[key] = list(value) if isinstance(value, tuple) else value


def _date_out(value: dt.date | None, json_safe: bool) -> Any:
    if value is None:
        return None
    return value.isoformat() if json_safe else value


def version_to_dict(spec: VersionSpec, *, json_safe: bool = False) -> dict[str, Any]:
    """The plain-dict form of ``spec`` (the inverse of :func:`version_from_dict`).

    Empty optional fields are left out. With ``json_safe=True`` dates become ISO strings so the
    dict can go into a JSON column; ``version_from_dict`` reads both forms.
    """
    out: dict[str, Any] = {"format": FORMAT}
    out["set"] = {"code": spec.set_code, "name_vi": spec.set_name_vi}
    _put(out["set"], "name_en", spec.set_name_en)
    out["version"] = spec.version
    out["status"] = spec.status
    _put(out, "valid_from", _date_out(spec.valid_from, json_safe))
    _put(out, "valid_to", _date_out(spec.valid_to, json_safe))
    if not spec.reporting_year.is_calendar:
        out["reporting_year"] = spec.reporting_year.code
    if spec.provisional:
        out["provisional"] = True
    _put(out, "sources", spec.sources)
    _put(out, "notes_vi", spec.notes_vi)
    if spec.scales:
        out["scales"] = {}
        for s in spec.scales:
            body: dict[str, Any] = {"name_vi": s.name_vi}
            _put(body, "name_en", s.name_en)
            _put(body, "levels", s.levels)
            out["scales"][s.code] = body
    if spec.parameters:
        out["parameters"] = {}
        for p in spec.parameters:
            body = {"value": p.value, "label_vi": p.label_vi}
            for key in ("label_en", "unit_vi", "unit_en"):
                _put(body, key, getattr(p, key))
            out["parameters"][p.name] = body
    if spec.indicators:
        out["indicators"] = {}
        for ind in spec.indicators:
            body = {"name_vi": ind.name_vi}
            _put(body, "name_en", ind.name_en)
            body["type"] = ind.value_type
            _put(body, "unit_vi", ind.unit_vi)
            _put(body, "unit_en", ind.unit_en)
            body["period"] = ind.period_type
            body["aggregation"] = ind.aggregation
            _put(body, "min", ind.min_value)
            _put(body, "max", ind.max_value)
            _put(body, "choices", ind.choices)
            _put(body, "description_vi", ind.description_vi)
            out["indicators"][ind.code] = body
    if spec.groups:
        out["groups"] = []
        for i, g in enumerate(spec.groups, start=1):
            body = {"code": g.code, "name_vi": g.name_vi}
            _put(body, "name_en", g.name_en)
            if g.order != i:
                body["order"] = g.order
            out["groups"].append(body)
    if spec.criteria:
        out["criteria"] = []
        for i, c in enumerate(spec.criteria, start=1):
            body = {"code": c.code, "group": c.group, "name_vi": c.name_vi}
            for key in ("name_en", "requirement_vi", "requirement_en"):
                _put(body, key, getattr(c, key))
            body["rule"] = c.rule
            _put(body, "applies_to", c.applies_to)
            _put(body, "valid_from", _date_out(c.valid_from, json_safe))
            _put(body, "valid_to", _date_out(c.valid_to, json_safe))
            _put(body, "evidence", c.evidence)
            _put(body, "provenance", c.provenance)
            if c.order != i:
                body["order"] = c.order
            out["criteria"].append(body)
    return out


# ---------------------------------------------------------------------------------------------
# YAML
# ---------------------------------------------------------------------------------------------


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses duplicate keys instead of keeping the last one."""


def _construct_unique_mapping(
    loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False
) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            mark = key_node.start_mark
            raise SpecError(
                [
                    SpecProblem(
                        "Tệp YAML",
                        f"line {mark.line + 1}",
                        f"khóa '{key}' bị lặp lại (dòng {mark.line + 1})",
                        f"duplicate key '{key}' (line {mark.line + 1})",
                        line=mark.line + 1,
                        column=mark.column + 1,
                    )
                ]
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping
)


def load_version_yaml(text: str, *, strict: bool = True) -> VersionSpec:
    """Parse YAML ``text`` and build the version (see :func:`version_from_dict`).

    Protects against the two YAML traps that would otherwise corrupt a criteria set silently:
    duplicate keys and syntax errors reported without a position.
    """
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        raise SpecError(
            [
                SpecProblem(
                    "Tệp YAML",
                    "$",
                    f"lỗi cú pháp YAML: {exc.problem}",
                    f"YAML syntax error: {exc.problem}",
                    line=line,
                    column=col,
                )
            ]
        ) from None
    except yaml.YAMLError as exc:
        raise SpecError(
            [SpecProblem("Tệp YAML", "$", f"lỗi YAML: {exc}", f"YAML error: {exc}")]
        ) from None
    return version_from_dict(data, strict=strict)


def load_version_file(path: str | Path, *, strict: bool = True) -> VersionSpec:
    """Read a YAML criteria file (UTF-8) and build the version."""
    return load_version_yaml(Path(path).read_text(encoding="utf-8"), strict=strict)


class _Dumper(yaml.SafeDumper):
    """Block style for multi-line text (rules), readable Unicode."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _represent_str)


def dump_version_yaml(spec: VersionSpec) -> str:
    """The YAML text of ``spec``; ``load_version_yaml`` reads it back to an equal spec."""
    return yaml.dump(
        version_to_dict(spec), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100
    )
