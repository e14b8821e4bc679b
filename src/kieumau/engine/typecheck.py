"""Static checks of a rule against a criteria version: names, helpers and types.

The ``cel`` library only finds unknown names and type errors when a rule *runs* — for a rule
editor that is too late: a Ministry clerk who types ``recidivism_rat`` must be told at once, at
the right column, in Vietnamese. This module walks the tree from :mod:`.cel_ast` and infers a
type for each node from the indicators' declared value types and the parameters' values:

===================== ==========================
indicator value type  CEL type
===================== ==========================
integer               int
decimal, percentage   double
boolean               bool
choice, text          string
date                  timestamp
===================== ==========================

It reports (as :class:`~.errors.RuleProblem` with offsets turned into line/column):

* unknown indicators (with a "did you mean" suggestion), unknown ``params.NAME``, a bare
  ``params``, unknown functions and methods, wrong argument counts;
* helper misuse: ``prev_year`` needs a quoted indicator code, ``rank`` a declared scale and a
  value that belongs to it, numeric helpers need numbers;
* type errors CEL would raise at run time: ``&&``/``||``/``!`` on non-booleans, comparing a
  boolean indicator with a number, arithmetic on text, mixing int and double in arithmetic
  (CEL does not coerce), ``%`` on decimals, ``in`` on a non-collection, a rule that does not
  give true/false;
* warnings: numeric literals other than 0, 1 and 100 (thresholds belong in ``params``) and
  integer division (which drops the fraction).

It also collects what the rule reads (indicators for the current period, via ``prev_year`` and
``prev_period``, and parameters), which drives missing-data checks, input digests and
incremental re-evaluation.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from . import cel_ast as ast
from .errors import RuleProblem
from .functions import BUILTIN_FUNCTIONS, BUILTIN_METHODS, HELPERS, MACROS
from .spec import VersionSpec

INDICATOR_TYPES = {
    "integer": "int",
    "decimal": "double",
    "percentage": "double",
    "boolean": "bool",
    "choice": "string",
    "text": "string",
    "date": "timestamp",
}

TYPE_NAMES_VI = {
    "int": "số nguyên",
    "uint": "số nguyên không dấu",
    "double": "số thập phân",
    "bool": "đúng/sai",
    "string": "văn bản",
    "bytes": "bytes",
    "timestamp": "ngày",
    "null": "rỗng (null)",
    "list": "danh sách",
    "map": "bảng tra",
    "dyn": "chưa xác định",
}
TYPE_NAMES_EN = {
    "int": "integer",
    "uint": "unsigned integer",
    "double": "decimal",
    "bool": "boolean",
    "string": "text",
    "bytes": "bytes",
    "timestamp": "date",
    "null": "null",
    "list": "list",
    "map": "map",
    "dyn": "unknown",
}

ALLOWED_LITERALS = frozenset({0, 1, 100})
NUMERIC = frozenset({"int", "uint", "double"})


def param_type(value: object) -> str:
    """CEL type of a parameter value."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "string"
    return "dyn"


@dataclass(frozen=True)
class RuleAnalysis:
    """What static analysis learned about one rule."""

    result_type: str
    problems: tuple[RuleProblem, ...]
    indicators: frozenset[str]
    prev_year: frozenset[str]
    prev_period: frozenset[str]
    parameters: frozenset[str]
    functions: frozenset[str]

    @property
    def ok(self) -> bool:
        """True when no problem is an error."""
        return not any(p.is_error for p in self.problems)


@dataclass
class _Checker:
    source: str
    version: VersionSpec
    problems: list[RuleProblem] = field(default_factory=list)
    indicators: set[str] = field(default_factory=set)
    prev_year: set[str] = field(default_factory=set)
    prev_period: set[str] = field(default_factory=set)
    parameters: set[str] = field(default_factory=set)
    functions: set[str] = field(default_factory=set)
    bound: list[str] = field(default_factory=list)

    # -- reporting ------------------------------------------------------------------------
    def problem(self, offset: int, vi: str, en: str, code: str, severity: str = "error") -> None:
        line, col = ast.line_col(self.source, offset)
        self.problems.append(RuleProblem(line, col, vi, en, severity, code))

    def src(self, node: ast.Node) -> str:
        text = " ".join(self.source[node.start : node.end].split())
        return text if len(text) <= 40 else text[:37] + "..."

    def describe(self, node: ast.Node) -> tuple[str, str]:
        if isinstance(node, ast.Ident):
            return f"chỉ tiêu '{node.name}'", f"indicator '{node.name}'"
        if self._param_name(node) is not None:
            name = self._param_name(node)
            return f"tham số 'params.{name}'", f"parameter 'params.{name}'"
        if isinstance(node, ast.Literal):
            return f"hằng số {self.src(node)}", f"literal {self.src(node)}"
        return f"biểu thức '{self.src(node)}'", f"expression '{self.src(node)}'"

    def _param_name(self, node: ast.Node) -> str | None:
        if (
            isinstance(node, ast.Select)
            and isinstance(node.operand, ast.Ident)
            and node.operand.name == "params"
            and "params" not in self.bound
        ):
            return node.field
        return None

    def type_error(self, offset: int, vi: str, en: str) -> None:
        self.problem(offset, vi, en, "type")

    # -- checking -------------------------------------------------------------------------
    def check(self, node: ast.Node) -> str:
        if isinstance(node, ast.Literal):
            return self.literal(node)
        if isinstance(node, ast.Ident):
            return self.ident(node)
        if isinstance(node, ast.Select):
            return self.select(node)
        if isinstance(node, ast.Index):
            return self.index(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Unary):
            return self.unary(node)
        if isinstance(node, ast.Binary):
            return self.binary(node)
        if isinstance(node, ast.Ternary):
            return self.ternary(node)
        if isinstance(node, ast.ListExpr):
            for item in node.items:
                self.check(item)
            return "list"
        if isinstance(node, ast.MapExpr):
            for key, value in node.entries:
                self.check(key)
                self.check(value)
            return "map"
        return "dyn"

    def literal(self, node: ast.Literal) -> str:
        if node.kind in ("int", "uint", "double") and node.value not in ALLOWED_LITERALS:
            self.problem(
                node.start,
                f"số cố định {self.src(node)} trong quy tắc: hãy khai báo thành tham số "
                "(params.TÊN) để có thể điều chỉnh ngưỡng mà không sửa quy tắc",
                f"numeric literal {self.src(node)} in a rule: declare it as a parameter "
                "(params.NAME) so the threshold can change without editing the rule",
                "literal",
                "warning",
            )
        return node.kind

    def ident(self, node: ast.Ident) -> str:
        if node.name in self.bound:
            return "dyn"
        indicator = self.version.indicators_by_code.get(node.name)
        if indicator is not None:
            self.indicators.add(node.name)
            return INDICATOR_TYPES.get(indicator.value_type, "dyn")
        if node.name == "params":
            self.problem(
                node.start,
                "'params' phải đi kèm tên tham số, ví dụ params.land_area_min",
                "'params' must be followed by a parameter name, e.g. params.land_area_min",
                "unknown_parameter",
            )
            return "dyn"
        hint = difflib.get_close_matches(node.name, list(self.version.indicators_by_code), 1)
        self.problem(
            node.start,
            f"chỉ tiêu '{node.name}' không tồn tại" + (f" (có phải '{hint[0]}'?)" if hint else ""),
            f"indicator '{node.name}' does not exist"
            + (f" (did you mean '{hint[0]}'?)" if hint else ""),
            "unknown_indicator",
        )
        return "dyn"

    def select(self, node: ast.Select) -> str:
        name = self._param_name(node)
        if name is not None:
            param = self.version.parameters_by_name.get(name)
            if param is None:
                hint = difflib.get_close_matches(name, list(self.version.parameters_by_name), 1)
                self.problem(
                    node.field_start,
                    f"tham số '{name}' không tồn tại"
                    + (f" (có phải '{hint[0]}'?)" if hint else ""),
                    f"parameter '{name}' does not exist"
                    + (f" (did you mean '{hint[0]}'?)" if hint else ""),
                    "unknown_parameter",
                )
                return "dyn"
            self.parameters.add(name)
            return param_type(param.value)
        operand_type = self.check(node.operand)
        if operand_type in ("map", "dyn"):
            return "dyn"
        dvi, den = self.describe(node.operand)
        self.type_error(
            node.field_start,
            f"không truy cập được trường '{node.field}' của {dvi} ({TYPE_NAMES_VI[operand_type]})",
            f"cannot select field '{node.field}' of {den} ({TYPE_NAMES_EN[operand_type]})",
        )
        return "dyn"

    def index(self, node: ast.Index) -> str:
        operand_type = self.check(node.operand)
        self.check(node.index)
        if operand_type in ("list", "map", "dyn"):
            return "dyn"
        dvi, den = self.describe(node.operand)
        self.type_error(
            node.index.start,
            f"không lấy phần tử [...] được từ {dvi} ({TYPE_NAMES_VI[operand_type]})",
            f"cannot index {den} ({TYPE_NAMES_EN[operand_type]})",
        )
        return "dyn"

    # -- calls ----------------------------------------------------------------------------
    def call(self, node: ast.Call) -> str:
        if node.target is not None:
            return self.method(node)
        name = node.function
        self.functions.add(name)
        if name in HELPERS:
            return self.helper(node)
        if name == "has":
            if len(node.args) != 1 or not isinstance(node.args[0], ast.Select):
                self.type_error(
                    node.start,
                    "has(...) cần một truy cập trường, ví dụ has(params.land_area_min)",
                    "has(...) needs a field selection, e.g. has(params.land_area_min)",
                )
            else:
                self.check(node.args[0])
            return "bool"
        if name in BUILTIN_FUNCTIONS:
            if len(node.args) != 1:
                self._arity(node, 1)
            for arg in node.args:
                self.check(arg)
            return BUILTIN_FUNCTIONS[name]
        available = ", ".join(sorted(HELPERS))
        hint = difflib.get_close_matches(name, list(HELPERS) + list(BUILTIN_FUNCTIONS), 1)
        self.problem(
            node.name_start,
            f"hàm '{name}' không tồn tại"
            + (f" (có phải '{hint[0]}'?)" if hint else "")
            + f"; các hàm dùng được: {available}",
            f"function '{name}' does not exist"
            + (f" (did you mean '{hint[0]}'?)" if hint else "")
            + f"; available: {available}",
            "unknown_function",
        )
        for arg in node.args:
            self.check(arg)
        return "dyn"

    def _arity(self, node: ast.Call, expected: int) -> bool:
        if len(node.args) == expected:
            return True
        self.type_error(
            node.name_start,
            f"hàm '{node.function}' cần {expected} đối số, nhưng có {len(node.args)}",
            f"function '{node.function}' takes {expected} arguments, got {len(node.args)}",
        )
        return False

    def helper(self, node: ast.Call) -> str:
        spec = HELPERS[node.function]
        if not self._arity(node, len(spec.args)):
            for arg in node.args:
                self.check(arg)
            return "dyn" if spec.returns == "indicator" else spec.returns
        result = "dyn" if spec.returns == "indicator" else spec.returns
        scale_code: str | None = None
        if "scale_code" in spec.args:
            scale_arg = node.args[spec.args.index("scale_code")]
            if isinstance(scale_arg, ast.Literal) and scale_arg.kind == "string":
                scale_code = str(scale_arg.value)
                if scale_code not in self.version.scales_by_code:
                    self.problem(
                        scale_arg.start,
                        f"thang xếp loại '{scale_code}' không tồn tại",
                        f"scale '{scale_code}' does not exist",
                        "unknown_scale",
                    )
                    scale_code = None
            else:
                self.type_error(
                    scale_arg.start,
                    f"đối số thứ 2 của hàm '{node.function}' phải là mã thang viết trong dấu "
                    'nháy, ví dụ "party_rating"',
                    f"argument 2 of '{node.function}' must be a quoted scale code",
                )
        for i, (kind, arg) in enumerate(zip(spec.args, node.args, strict=True), start=1):
            if kind == "indicator_code":
                result = self._indicator_code_arg(node, arg) or result
            elif kind == "number":
                t = self.check(arg)
                if t not in NUMERIC and t != "dyn":
                    dvi, den = self.describe(arg)
                    self.type_error(
                        arg.start,
                        f"đối số thứ {i} của hàm '{node.function}' phải là số, nhưng {dvi} là "
                        f"{TYPE_NAMES_VI[t]}",
                        f"argument {i} of '{node.function}' must be a number, but {den} is "
                        f"{TYPE_NAMES_EN[t]}",
                    )
            elif kind == "string":
                t = self.check(arg)
                if t not in ("string", "dyn"):
                    dvi, den = self.describe(arg)
                    self.type_error(
                        arg.start,
                        f"đối số thứ {i} của hàm '{node.function}' phải là văn bản/lựa chọn, "
                        f"nhưng {dvi} là {TYPE_NAMES_VI[t]}",
                        f"argument {i} of '{node.function}' must be text, but {den} is "
                        f"{TYPE_NAMES_EN[t]}",
                    )
                elif scale_code is not None:
                    self._check_in_scale(arg, scale_code)
        return result

    def _indicator_code_arg(self, node: ast.Call, arg: ast.Node) -> str | None:
        if not (isinstance(arg, ast.Literal) and arg.kind == "string"):
            self.type_error(
                arg.start,
                f"đối số của hàm '{node.function}' phải là mã chỉ tiêu viết trong dấu nháy, "
                'ví dụ "crime_cases"',
                f"the argument of '{node.function}' must be a quoted indicator code",
            )
            self.check(arg)
            return None
        code = str(arg.value)
        indicator = self.version.indicators_by_code.get(code)
        if indicator is None:
            hint = difflib.get_close_matches(code, list(self.version.indicators_by_code), 1)
            self.problem(
                arg.start + 1,
                f"chỉ tiêu '{code}' không tồn tại" + (f" (có phải '{hint[0]}'?)" if hint else ""),
                f"indicator '{code}' does not exist"
                + (f" (did you mean '{hint[0]}'?)" if hint else ""),
                "unknown_indicator",
            )
            return None
        (self.prev_year if node.function == "prev_year" else self.prev_period).add(code)
        return INDICATOR_TYPES.get(indicator.value_type, "dyn")

    def _check_in_scale(self, arg: ast.Node, scale_code: str) -> None:
        levels = set(self.version.scales_by_code[scale_code].levels)
        if isinstance(arg, ast.Ident):
            indicator = self.version.indicators_by_code.get(arg.name)
            if indicator is not None:
                outside = [c for c in indicator.choices if c not in levels]
                if outside:
                    self.type_error(
                        arg.start,
                        f"lựa chọn '{outside[0]}' của chỉ tiêu '{arg.name}' không có trong "
                        f"thang '{scale_code}'",
                        f"choice '{outside[0]}' of indicator '{arg.name}' is not a level of "
                        f"scale '{scale_code}'",
                    )
        name = self._param_name(arg)
        if name is not None and name in self.version.parameters_by_name:
            value = self.version.parameters_by_name[name].value
            if value not in levels:
                self.type_error(
                    arg.start,
                    f"giá trị '{value}' của tham số 'params.{name}' không có trong thang "
                    f"'{scale_code}'",
                    f"value '{value}' of 'params.{name}' is not a level of scale '{scale_code}'",
                )
        if isinstance(arg, ast.Literal) and arg.value not in levels:
            self.type_error(
                arg.start,
                f"'{arg.value}' không có trong thang '{scale_code}'",
                f"'{arg.value}' is not a level of scale '{scale_code}'",
            )

    def method(self, node: ast.Call) -> str:
        name = node.function
        assert node.target is not None
        if name in MACROS:
            target_type = self.check(node.target)
            if target_type not in ("list", "map", "dyn"):
                dvi, den = self.describe(node.target)
                self.type_error(
                    node.name_start,
                    f"'{name}' chỉ dùng cho danh sách, nhưng {dvi} là {TYPE_NAMES_VI[target_type]}",
                    f"'{name}' needs a list, but {den} is {TYPE_NAMES_EN[target_type]}",
                )
            if len(node.args) != 2 or not isinstance(node.args[0], ast.Ident):
                self.type_error(
                    node.name_start,
                    f"'{name}' cần dạng {name}(biến, biểu thức)",
                    f"'{name}' needs the form {name}(var, expression)",
                )
                return "dyn"
            self.bound.append(node.args[0].name)
            try:
                body = self.check(node.args[1])
            finally:
                self.bound.pop()
            if name in ("all", "exists", "exists_one") and body not in ("bool", "dyn"):
                self.type_error(
                    node.args[1].start,
                    f"điều kiện trong '{name}' phải là đúng/sai",
                    f"the condition inside '{name}' must be boolean",
                )
            return "bool" if name in ("all", "exists", "exists_one") else "list"
        target_type = self.check(node.target)
        for arg in node.args:
            self.check(arg)
        if name not in BUILTIN_METHODS:
            self.problem(
                node.name_start,
                f"phương thức '.{name}()' không được hỗ trợ",
                f"method '.{name}()' is not supported",
                "unknown_function",
            )
            return "dyn"
        if name != "size" and target_type not in ("string", "dyn"):
            dvi, den = self.describe(node.target)
            self.type_error(
                node.name_start,
                f"'.{name}()' chỉ dùng cho văn bản, nhưng {dvi} là {TYPE_NAMES_VI[target_type]}",
                f"'.{name}()' needs text, but {den} is {TYPE_NAMES_EN[target_type]}",
            )
        return BUILTIN_METHODS[name]

    # -- operators ------------------------------------------------------------------------
    def unary(self, node: ast.Unary) -> str:
        t = self.check(node.operand)
        if node.op == "!":
            if t not in ("bool", "dyn"):
                dvi, den = self.describe(node.operand)
                self.type_error(
                    node.start,
                    f"toán tử '!' cần điều kiện đúng/sai, nhưng {dvi} là {TYPE_NAMES_VI[t]}",
                    f"'!' needs a boolean, but {den} is {TYPE_NAMES_EN[t]}",
                )
            return "bool"
        if t not in NUMERIC and t != "dyn":
            dvi, den = self.describe(node.operand)
            self.type_error(
                node.start,
                f"dấu '-' cần số, nhưng {dvi} là {TYPE_NAMES_VI[t]}",
                f"'-' needs a number, but {den} is {TYPE_NAMES_EN[t]}",
            )
            return "dyn"
        return t

    def binary(self, node: ast.Binary) -> str:
        lt = self.check(node.left)
        rt = self.check(node.right)
        op = node.op
        if op in ("&&", "||"):
            for side, t in ((node.left, lt), (node.right, rt)):
                if t not in ("bool", "dyn"):
                    dvi, den = self.describe(side)
                    self.type_error(
                        side.start,
                        f"toán tử '{op}' cần điều kiện đúng/sai, nhưng {dvi} là {TYPE_NAMES_VI[t]}",
                        f"'{op}' needs booleans, but {den} is {TYPE_NAMES_EN[t]}",
                    )
            return "bool"
        if op in ("<", "<=", ">", ">="):
            if not _orderable(lt, rt):
                self._cannot_compare(node, lt, rt)
            return "bool"
        if op in ("==", "!="):
            if not _equatable(lt, rt):
                self._cannot_compare(node, lt, rt)
            return "bool"
        if op == "in":
            if rt not in ("list", "map", "dyn"):
                dvi, den = self.describe(node.right)
                self.type_error(
                    node.op_start,
                    f"vế phải của 'in' phải là danh sách, nhưng {dvi} là {TYPE_NAMES_VI[rt]}",
                    f"the right side of 'in' must be a list, but {den} is {TYPE_NAMES_EN[rt]}",
                )
            return "bool"
        return self.arithmetic(node, lt, rt)

    def _cannot_compare(self, node: ast.Binary, lt: str, rt: str) -> None:
        lvi, len_ = self.describe(node.left)
        rvi, ren = self.describe(node.right)
        self.type_error(
            node.op_start,
            f"không so sánh '{node.op}' được {lvi} ({TYPE_NAMES_VI[lt]}) với {rvi} "
            f"({TYPE_NAMES_VI[rt]})",
            f"cannot compare '{node.op}' {len_} ({TYPE_NAMES_EN[lt]}) with {ren} "
            f"({TYPE_NAMES_EN[rt]})",
        )

    def arithmetic(self, node: ast.Binary, lt: str, rt: str) -> str:
        op = node.op
        if op == "+" and lt == rt and lt in ("string", "list", "bytes"):
            return lt
        for side, t in ((node.left, lt), (node.right, rt)):
            if t not in NUMERIC and t != "dyn":
                dvi, den = self.describe(side)
                self.type_error(
                    side.start,
                    f"phép tính '{op}' cần số, nhưng {dvi} là {TYPE_NAMES_VI[t]}",
                    f"'{op}' needs numbers, but {den} is {TYPE_NAMES_EN[t]}",
                )
                return "dyn"
        if "dyn" in (lt, rt):
            return "dyn"
        if lt != rt:
            lvi, len_ = self.describe(node.left)
            rvi, ren = self.describe(node.right)
            self.type_error(
                node.op_start,
                f"phép tính '{op}' giữa {lvi} ({TYPE_NAMES_VI[lt]}) và {rvi} "
                f"({TYPE_NAMES_VI[rt]}): CEL không tự đổi kiểu, hãy dùng double(...) hoặc "
                "các hàm ratio/pct",
                f"'{op}' between {len_} ({TYPE_NAMES_EN[lt]}) and {ren} ({TYPE_NAMES_EN[rt]}): "
                "CEL does not coerce; use double(...) or ratio/pct",
            )
            return "dyn"
        if op == "%" and lt == "double":
            self.type_error(
                node.op_start,
                "phép chia lấy dư '%' không dùng được với số thập phân",
                "'%' is not defined for decimals",
            )
        if op == "/" and lt in ("int", "uint"):
            self.problem(
                node.op_start,
                "phép chia hai số nguyên bỏ phần lẻ (7 / 2 = 3); hãy dùng ratio() hoặc pct()",
                "integer division drops the fraction (7 / 2 = 3); use ratio() or pct()",
                "integer_division",
                "warning",
            )
        return lt

    def ternary(self, node: ast.Ternary) -> str:
        ct = self.check(node.cond)
        if ct not in ("bool", "dyn"):
            dvi, den = self.describe(node.cond)
            self.type_error(
                node.cond.start,
                f"điều kiện của '? :' phải là đúng/sai, nhưng {dvi} là {TYPE_NAMES_VI[ct]}",
                f"the condition of '? :' must be boolean, but {den} is {TYPE_NAMES_EN[ct]}",
            )
        a = self.check(node.then)
        b = self.check(node.other)
        return a if a == b else "dyn"


def _orderable(a: str, b: str) -> bool:
    if "dyn" in (a, b):
        return True
    if a in NUMERIC and b in NUMERIC:
        return True
    return a == b and a in ("string", "bool", "timestamp", "bytes")


def _equatable(a: str, b: str) -> bool:
    if "dyn" in (a, b) or "null" in (a, b):
        return True
    if a in NUMERIC and b in NUMERIC:
        return True
    return a == b


def analyse(source: str, tree: ast.Node, version: VersionSpec) -> RuleAnalysis:
    """Type-check ``tree`` (parsed from ``source``) against ``version`` and collect references.

    Protects the rule editor and the publish step: everything reported here would otherwise
    surface only as a run-time error (or, worse, a silent ``false``) when units are evaluated.
    """
    checker = _Checker(source, version)
    result = checker.check(tree)
    if result not in ("bool", "dyn"):
        checker.type_error(
            tree.start,
            f"quy tắc phải cho kết quả đúng/sai, nhưng cho {TYPE_NAMES_VI[result]}",
            f"a rule must give true/false, but gives {TYPE_NAMES_EN[result]}",
        )
    return RuleAnalysis(
        result_type=result,
        problems=tuple(sorted(checker.problems, key=lambda p: (p.line, p.column))),
        indicators=frozenset(checker.indicators),
        prev_year=frozenset(checker.prev_year),
        prev_period=frozenset(checker.prev_period),
        parameters=frozenset(checker.parameters),
        functions=frozenset(checker.functions),
    )
