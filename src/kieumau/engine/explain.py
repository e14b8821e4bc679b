"""Explanations a person can check: "Tỷ lệ tái phạm 1,2% < 1,5%: đạt".

A score nobody can verify invites disputes and hides mistakes, so every criterion result says
*why*. The explanation is derived from the rule itself, never written by hand:

1. At compile time (:func:`build_plan`) the rule is split at its top-level ``&&`` into
   conditions. Each condition is a comparison (``<``, ``<=``, ``>``, ``>=``, ``==``, ``!=``,
   ``in``), a yes/no value, or an ``||``/``&&``/``!`` of those. Each side of a comparison is a
   *term*: an indicator (current, ``prev_year``, ``prev_period``), a parameter, a literal, a
   helper call (``pct``, ``ratio``, ``pct_done``, ``pct_change``, ``pct_decrease``, ``rank``)
   over terms, or — for anything else — a CEL expression evaluated through a "parts" program.
   Labels and parameter values are rendered once here.
2. At evaluation (:func:`evaluate_plan`) each term gets its value: indicator values from the
   readings, helper calls through the *same* Python functions CEL calls, other expressions
   from the parts program. Conditions are combined with three-valued logic (met / not met /
   unknown), unknown when a value is missing data (e.g. a zero denominator).
3. :func:`render` writes one sentence per condition in Vietnamese and English with the
   indicators' and parameters' labels and units and Vietnamese number formatting, then a
   conclusion.

The status itself comes from executing the whole rule in CEL (see :mod:`.evaluate`); these
condition outcomes only explain it, and tests check that the two agree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import cel_ast as ast
from .functions import missing_reason
from .numbers import format_quantity
from .spec import VersionSpec

OP_VI = {"<": "<", "<=": "≤", ">": ">", ">=": "≥", "==": "=", "!=": "≠", "in": "thuộc"}
OP_EN = {"<": "<", "<=": "≤", ">": ">", ">=": "≥", "==": "=", "!=": "≠", "in": "in"}
OUTCOME_VI = {True: "đạt", False: "không đạt", None: "không xác định được"}
OUTCOME_EN = {True: "met", False: "not met", None: "cannot be determined"}
# Inside "A or B" an alternative is true/false, not met/not met: "[... = 0: sai] hoặc [...]".
TRUTH_VI = {True: "đúng", False: "sai", None: "không xác định được"}
TRUTH_EN = {True: "true", False: "false", None: "cannot be determined"}
_NUMERIC_HELPERS = ("ratio", "pct", "pct_done", "pct_change", "pct_decrease")


@dataclass(frozen=True)
class Term:
    """One value shown in an explanation, with how to obtain it.

    ``kind`` is ``indicator`` (``code`` + ``offset`` current/prev_year/prev_period),
    ``param``, ``literal``, ``helper`` (``code`` = helper name, ``args``), or ``expr`` (value
    at ``part`` of the parts program).
    """

    kind: str
    src: str
    code: str = ""
    offset: str = "current"
    value: Any = None
    part: int = -1
    args: tuple[Term, ...] = ()
    label_vi: str = ""
    label_en: str = ""
    unit_vi: str = ""
    unit_en: str = ""
    value_type: str = ""


@dataclass(frozen=True)
class Cond:
    """A condition: ``cmp`` (``op``, ``left``, ``right``), ``bool`` (``term``), or ``or`` /
    ``and`` / ``not`` over ``children``."""

    kind: str
    src: str
    op: str = ""
    left: Term | None = None
    right: Term | None = None
    term: Term | None = None
    children: tuple[Cond, ...] = ()


@dataclass(frozen=True)
class ExplainPlan:
    """The conditions of one rule and the CEL source of its parts program (if any)."""

    conditions: tuple[Cond, ...]
    parts: tuple[str, ...]
    null_sensitive: bool = False
    """True when CEL could call a condition met although a value in it is missing data: an
    ``==``, ``!=`` or ``in`` with a helper or expression that may be null (CEL's
    ``null != 5`` is true). The evaluator then checks the conditions even when CEL says true.
    """
    # Labels and constant texts rendered once per plan (keys use id() of this plan's terms).
    cache: dict[Any, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def parts_source(self) -> str | None:
        """A CEL list expression evaluating every ``expr`` term, or None when there is none."""
        if not self.parts:
            return None
        return "[\n" + ",\n".join(f"({p}\n)" for p in self.parts) + "\n]"


# ---------------------------------------------------------------------------------------------
# Building the plan
# ---------------------------------------------------------------------------------------------


def _embed(name: str) -> str:
    """Lower-case the first letter of a label used inside a sentence ("Số vụ" -> "số vụ")."""
    if len(name) > 1 and name[0].isupper() and name[1].islower():
        return name[0].lower() + name[1:]
    return name


class _Builder:
    def __init__(self, source: str, version: VersionSpec):
        self.source = source
        self.version = version
        self.parts: list[str] = []

    def src(self, node: ast.Node) -> str:
        return self.source[node.start : node.end]

    def conjuncts(self, node: ast.Node) -> list[ast.Node]:
        if isinstance(node, ast.Binary) and node.op == "&&":
            return self.conjuncts(node.left) + self.conjuncts(node.right)
        return [node]

    def disjuncts(self, node: ast.Node) -> list[ast.Node]:
        if isinstance(node, ast.Binary) and node.op == "||":
            return self.disjuncts(node.left) + self.disjuncts(node.right)
        return [node]

    def cond(self, node: ast.Node) -> Cond:
        src = " ".join(self.src(node).split())
        if isinstance(node, ast.Binary) and node.op in OP_VI:
            return Cond(
                "cmp", src, op=node.op, left=self.term(node.left), right=self.term(node.right)
            )
        if isinstance(node, ast.Binary) and node.op == "||":
            return Cond("or", src, children=tuple(self.cond(n) for n in self.disjuncts(node)))
        if isinstance(node, ast.Binary) and node.op == "&&":
            return Cond("and", src, children=tuple(self.cond(n) for n in self.conjuncts(node)))
        if isinstance(node, ast.Unary) and node.op == "!":
            return Cond("not", src, children=(self.cond(node.operand),))
        return Cond("bool", src, term=self.term(node))

    def expr_term(self, node: ast.Node) -> Term:
        self.parts.append(self.src(node))
        text = " ".join(self.src(node).split())
        return Term(
            "expr", text, part=len(self.parts) - 1, label_vi=f"[{text}]", label_en=f"[{text}]"
        )

    def term(self, node: ast.Node) -> Term:
        src = " ".join(self.src(node).split())
        if isinstance(node, ast.Ident):
            ind = self.version.indicators_by_code.get(node.name)
            if ind is not None:
                return Term(
                    "indicator",
                    src,
                    code=ind.code,
                    label_vi=ind.name_vi,
                    label_en=ind.name_en or ind.code,
                    unit_vi=ind.unit_vi,
                    unit_en=ind.unit_en,
                    value_type=ind.value_type,
                )
        if (
            isinstance(node, ast.Select)
            and isinstance(node.operand, ast.Ident)
            and node.operand.name == "params"
        ):
            p = self.version.parameters_by_name.get(node.field)
            if p is not None:
                return Term(
                    "param",
                    src,
                    code=p.name,
                    value=p.value,
                    label_vi=p.label_vi,
                    label_en=p.label_en or p.name,
                    unit_vi=p.unit_vi,
                    unit_en=p.unit_en,
                )
        if isinstance(node, ast.Literal) and node.kind in (
            "int",
            "uint",
            "double",
            "string",
            "bool",
            "null",
        ):
            return Term("literal", src, value=node.value)
        if (
            isinstance(node, ast.Unary)
            and node.op == "-"
            and isinstance(node.operand, ast.Literal)
            and node.operand.kind in ("int", "double")
        ):
            return Term("literal", src, value=-node.operand.value)  # type: ignore[operator]
        if isinstance(node, ast.Call) and node.target is None:
            return self.call_term(node, src)
        return self.expr_term(node)

    def call_term(self, node: ast.Call, src: str) -> Term:
        name = node.function
        if (
            name in ("prev_year", "prev_period")
            and len(node.args) == 1
            and isinstance(node.args[0], ast.Literal)
            and node.args[0].kind == "string"
        ):
            ind = self.version.indicators_by_code.get(str(node.args[0].value))
            if ind is not None:
                return Term(
                    "indicator",
                    src,
                    code=ind.code,
                    offset=name,
                    label_vi=ind.name_vi,
                    label_en=ind.name_en or ind.code,
                    unit_vi=ind.unit_vi,
                    unit_en=ind.unit_en,
                    value_type=ind.value_type,
                )
        if name in _NUMERIC_HELPERS and len(node.args) == 2:
            args = (self.term(node.args[0]), self.term(node.args[1]))
            return Term(
                "helper",
                src,
                code=name,
                args=args,
                unit_vi="" if name == "ratio" else "%",
                unit_en="" if name == "ratio" else "%",
            )
        if (
            name == "rank"
            and len(node.args) == 2
            and isinstance(node.args[1], ast.Literal)
            and node.args[1].kind == "string"
            and str(node.args[1].value) in self.version.scales_by_code
        ):
            return Term(
                "helper",
                src,
                code="rank",
                value=str(node.args[1].value),
                args=(self.term(node.args[0]),),
            )
        return self.expr_term(node)


def build_plan(source: str, tree: ast.Node, version: VersionSpec) -> ExplainPlan:
    """Split a (valid) rule into explainable conditions; see the module docstring."""
    builder = _Builder(source, version)
    conditions = tuple(builder.cond(n) for n in builder.conjuncts(tree))
    sensitive = any(_null_sensitive(c) for c in conditions)
    return ExplainPlan(conditions, tuple(builder.parts), sensitive)


def _null_sensitive(cond: Cond) -> bool:
    if cond.kind == "cmp":
        sides = (cond.left, cond.right)
        return cond.op in ("==", "!=", "in") and any(
            t is not None and t.kind in ("helper", "expr") for t in sides
        )
    return any(_null_sensitive(c) for c in cond.children)


# ---------------------------------------------------------------------------------------------
# Evaluating the plan
# ---------------------------------------------------------------------------------------------


@dataclass
class Env:
    """What term values are read from while explaining one criterion for one unit."""

    values: Mapping[str, Any]
    prev_year: Mapping[str, Any]
    prev_period: Mapping[str, Any]
    parts: list[Any] | None
    functions: Mapping[str, Callable[..., Any]]
    period_type: str = "year"


def term_value(term: Term, env: Env) -> Any:
    """The value of ``term`` (``None`` for missing data)."""
    kind = term.kind
    if kind == "indicator":
        source = (
            env.values
            if term.offset == "current"
            else (env.prev_year if term.offset == "prev_year" else env.prev_period)
        )
        return source.get(term.code)
    if kind in ("param", "literal"):
        return term.value
    if kind == "helper":
        args = [term_value(a, env) for a in term.args]
        if term.code == "rank":
            return env.functions["rank"](args[0], term.value)
        return env.functions[term.code](*args)
    if env.parts is None or term.part >= len(env.parts):
        return None
    return env.parts[term.part]


def compare(op: str, left: Any, right: Any) -> bool | None:
    """Python mirror of CEL's comparison for the value types the engine passes to CEL.

    ``None`` (unknown) when a side is missing or the types cannot be compared.
    """
    if op == "in":
        if left is None or not isinstance(right, (list, tuple, dict)):
            return None
        return left in right
    if op in ("==", "!="):
        if left is None or right is None:
            return None
        # CEL: values of different types are never equal (true != 1).
        equal = isinstance(left, bool) == isinstance(right, bool) and left == right
        return equal if op == "==" else not equal
    if left is None or right is None or isinstance(left, bool) != isinstance(right, bool):
        return None
    try:
        if op == "<":
            return left < right
        if op == "<=":
            return left <= right
        if op == ">":
            return left > right
        return left >= right
    except TypeError:
        return None


def _and(outcomes: list[bool | None]) -> bool | None:
    if any(o is False for o in outcomes):
        return False
    return True if all(o is True for o in outcomes) else None


def _or(outcomes: list[bool | None]) -> bool | None:
    if any(o is True for o in outcomes):
        return True
    return False if all(o is False for o in outcomes) else None


@dataclass(frozen=True)
class ConditionResult:
    """One condition of a rule, evaluated and rendered.

    ``outcome`` is True (đạt), False (không đạt) or None (cannot be determined: missing data).
    """

    text_vi: str
    text_en: str
    outcome: bool | None


def _distinguishing_decimals(left: Any, right: Any) -> int:
    """Decimal places (2..6) so that two different numbers never print the same.

    Without this, 1.4999 < 1.5 would read "1,5% < 1,5%: đạt" and look like a bug.
    """
    numbers = (int, float)
    if (
        not isinstance(left, numbers)
        or not isinstance(right, numbers)
        or isinstance(left, bool)
        or isinstance(right, bool)
        or left == right
    ):
        return 2
    for decimals in range(2, 7):
        if round(float(left), decimals) != round(float(right), decimals):
            return decimals
    return 6


_FORMATTED: dict[tuple[Any, ...], str] = {}


def _fmt(value: Any, unit: str, lang: str, decimals: int) -> str:
    """``format_quantity`` with a small memo: the same counts recur across thousands of units."""
    kind = type(value)
    if kind not in (int, float, bool, str):
        return format_quantity(value, unit, lang=lang, decimals=decimals)
    key = (kind, value, unit, lang, decimals)
    text = _FORMATTED.get(key)
    if text is None:
        if len(_FORMATTED) > 50_000:
            _FORMATTED.clear()
        text = _FORMATTED[key] = format_quantity(value, unit, lang=lang, decimals=decimals)
    return text


class _Renderer:
    """Renders terms and conditions for one criterion in one language."""

    def __init__(self, env: Env, lang: str, cache: dict[Any, str], values: dict[int, Any]):
        self.env = env
        self.lang = lang
        self.vi = lang == "vi"
        self.missing_notes: list[str] = []
        self.cache = cache
        self.values = values  # term values, shared by the Vietnamese and English renderers

    def value(self, term: Term) -> Any:
        key = id(term)
        if key in self.values:
            return self.values[key]
        value = self.values[key] = term_value(term, self.env)
        return value

    def unit(self, term: Term) -> str:
        return term.unit_vi if self.vi else term.unit_en

    def label(self, term: Term) -> str:
        key = (id(term), self.lang, self.env.period_type)
        cached = self.cache.get(key)
        if cached is None:
            cached = self.cache[key] = self._label(term)
        return cached

    def _label(self, term: Term) -> str:
        if term.kind == "indicator":
            base = term.label_vi if self.vi else term.label_en
            if term.offset == "prev_year":
                if self.vi:
                    yearly = self.env.period_type == "year"
                    return f"{base} {'năm trước' if yearly else 'cùng kỳ năm trước'}"
                return f"{base} a year earlier"
            if term.offset == "prev_period":
                return f"{base} {'kỳ trước' if self.vi else 'in the previous period'}"
            return base
        if term.kind == "param":
            return term.label_vi if self.vi else term.label_en
        if term.kind == "helper" and term.code == "rank":
            return self.label(term.args[0])
        if term.kind == "helper":
            a, b = term.args
            la, lb = _embed(self.label(a)), _embed(self.label(b))
            if term.code in ("pct", "pct_done"):
                return f"Tỷ lệ {la} trên {lb}" if self.vi else f"Share of {la} in {lb}"
            if term.code == "ratio":
                return f"Tỷ số {la} / {lb}" if self.vi else f"Ratio {la} / {lb}"
            same = (
                a.kind == "indicator"
                and b.kind == "indicator"
                and a.code == b.code
                and a.offset == "current"
                and b.offset != "current"
            )
            if self.vi:
                what = "Mức giảm" if term.code == "pct_decrease" else "Mức thay đổi"
                if same:
                    when = (
                        "kỳ trước"
                        if b.offset == "prev_period"
                        else (
                            "năm trước" if self.env.period_type == "year" else "cùng kỳ năm trước"
                        )
                    )
                    return f"{what} {la} so với {when}"
                return f"{what} {la} so với {lb}"
            what = "Decrease in" if term.code == "pct_decrease" else "Change in"
            if same:
                when = "the previous period" if b.offset == "prev_period" else "a year earlier"
                return f"{what} {la} vs {when}"
            return f"{what} {la} vs {lb}"
        return term.label_vi if self.vi else term.label_en

    def value_text(self, term: Term, value: Any, decimals: int) -> str:
        if term.kind == "helper" and term.code != "rank":
            a, b = term.args
            va, vb = self.value(a), self.value(b)
            ua, ub = self.unit(a), self.unit(b)
            if term.code in ("pct_change", "pct_decrease"):
                inner = f"{_fmt(vb, ub, self.lang, 2)} → {_fmt(va, ua, self.lang, 2)}"
            else:
                inner = f"{_fmt(va, '', self.lang, 2)}/{_fmt(vb, '', self.lang, 2)}"
            if value is None:
                if va is not None and vb is not None:  # a missing input is reported elsewhere
                    reason_vi, reason_en = missing_reason(term.code, [va, vb])
                    reason = reason_vi if self.vi else reason_en
                    self.missing_notes.append(f"{self.label(term)}: {reason}")
                return f"({inner}) {'không tính được' if self.vi else 'cannot be computed'}"
            sign = "+" if term.code == "pct_change" and value > 0 else ""
            return f"({inner}) {sign}{_fmt(value, self.unit(term), self.lang, decimals)}"
        if term.kind == "helper":  # rank: show the rating itself
            shown = self.value(term.args[0])
            if value is None and shown is not None:
                reason_vi, reason_en = missing_reason("rank", [shown])
                self.missing_notes.append(
                    f"{self.label(term)}: {reason_vi if self.vi else reason_en}"
                )
            return _fmt(shown, "", self.lang, decimals)
        if term.kind == "literal":
            return _fmt(value, "", self.lang, decimals)
        return _fmt(value, self.unit(term), self.lang, decimals)

    def term_text(self, term: Term, value: Any, decimals: int) -> str:
        if term.kind in ("param", "literal"):  # constant: render once per plan
            key = (id(term), self.lang, decimals)
            cached = self.cache.get(key)
            if cached is None:
                cached = self.cache[key] = self._term_text(term, value, decimals)
            return cached
        return self._term_text(term, value, decimals)

    def _term_text(self, term: Term, value: Any, decimals: int) -> str:
        label = self.label(term)
        shown = self.value_text(term, value, decimals)
        return f"{label} {shown}" if label else shown

    def cond(self, cond: Cond, nested: bool = False) -> tuple[str, bool | None]:
        if nested:
            outcome_word = TRUTH_VI if self.vi else TRUTH_EN
        else:
            outcome_word = OUTCOME_VI if self.vi else OUTCOME_EN
        if cond.kind == "cmp":
            assert cond.left is not None and cond.right is not None
            lv, rv = self.value(cond.left), self.value(cond.right)
            outcome = compare(cond.op, lv, rv)
            decimals = _distinguishing_decimals(lv, rv)
            left = self.term_text(cond.left, lv, decimals)
            right = self.term_text(cond.right, rv, decimals)
            op = (OP_VI if self.vi else OP_EN)[cond.op]
            return f"{left} {op} {right}: {outcome_word[outcome]}", outcome
        if cond.kind == "bool":
            assert cond.term is not None
            value = self.value(cond.term)
            outcome = value if isinstance(value, bool) else None
            if cond.term.kind == "indicator":
                text = f"{self.label(cond.term)} ({_fmt(value, '', self.lang, 2)})"
            else:
                text = self.term_text(cond.term, value, 2)
            return f"{text}: {outcome_word[outcome]}", outcome
        parts = [self.cond(c, nested=True) for c in cond.children]
        if cond.kind == "not":
            inner, o = parts[0]
            outcome = None if o is None else not o
            prefix = "Không phải" if self.vi else "Not"
            return f"{prefix} ({inner}): {outcome_word[outcome]}", outcome
        outcomes = [o for _, o in parts]
        outcome = _or(outcomes) if cond.kind == "or" else _and(outcomes)
        joiner = (
            (" hoặc " if self.vi else " or ")
            if cond.kind == "or"
            else (" và " if self.vi else " and ")
        )
        inner = joiner.join(f"[{t}]" for t, _ in parts)
        return f"{inner} → {outcome_word[outcome]}", outcome


def cond_outcome(cond: Cond, env: Env) -> bool | None:
    """Three-valued outcome of ``cond`` without rendering any text (the fast path)."""
    if cond.kind == "cmp":
        assert cond.left is not None and cond.right is not None
        return compare(cond.op, term_value(cond.left, env), term_value(cond.right, env))
    if cond.kind == "bool":
        assert cond.term is not None
        value = term_value(cond.term, env)
        return value if isinstance(value, bool) else None
    outcomes = [cond_outcome(c, env) for c in cond.children]
    if cond.kind == "not":
        return None if outcomes[0] is None else not outcomes[0]
    return _or(outcomes) if cond.kind == "or" else _and(outcomes)


def evaluate_outcomes(plan: ExplainPlan, env: Env) -> tuple[bool | None, ...]:
    """Outcome of every top-level condition (True, False or None for unknown)."""
    return tuple(cond_outcome(c, env) for c in plan.conditions)


class Explanation:
    """A criterion's explanation in Vietnamese and English, rendered on first access.

    Rendering sentences costs far more than evaluating a rule (number formatting, labels), and
    a national batch evaluates 73,000 criteria of which a page shows a handful. So results
    carry this small immutable value: either fixed text, or a renderer that runs once, the
    first time ``vi``, ``en`` or ``conditions`` is read, and is then dropped. The text is a pure
    function of the plan and the values the rule read, so laziness never changes it.
    """

    __slots__ = ("_args", "_conditions", "_en", "_render", "_vi")

    def __init__(
        self,
        render: Callable[..., tuple[tuple[ConditionResult, ...], str, str]] | None = None,
        *args: Any,
        vi: str = "",
        en: str = "",
        conditions: tuple[ConditionResult, ...] = (),
    ):
        self._render = render
        self._args = args  # arguments for ``render`` (kept here rather than in a partial)
        self._vi = vi
        self._en = en
        self._conditions = tuple(conditions)

    def _ensure(self) -> None:
        render = self._render
        if render is not None:
            self._conditions, self._vi, self._en = render(*self._args)
            self._render = None
            self._args = ()

    @property
    def vi(self) -> str:
        """The Vietnamese explanation."""
        self._ensure()
        return self._vi

    @property
    def en(self) -> str:
        """The English explanation."""
        self._ensure()
        return self._en

    @property
    def conditions(self) -> tuple[ConditionResult, ...]:
        """The rendered top-level conditions with their outcomes."""
        self._ensure()
        return self._conditions

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Explanation):
            return NotImplemented
        return (self.vi, self.en, self.conditions) == (other.vi, other.en, other.conditions)

    def __hash__(self) -> int:
        return hash((self.vi, self.en))

    def __repr__(self) -> str:
        return f"Explanation(vi={self.vi!r})"


def evaluate_plan(
    plan: ExplainPlan, env: Env
) -> tuple[tuple[ConditionResult, ...], list[str], list[str]]:
    """Evaluate and render every condition of ``plan``.

    Returns the condition results and the Vietnamese and English notes on values that could not
    be computed (zero denominators, ratings outside their scale ...).
    """
    values: dict[int, Any] = {}
    vi = _Renderer(env, "vi", plan.cache, values)
    en = _Renderer(env, "en", plan.cache, values)
    out = []
    for cond in plan.conditions:
        text_vi, outcome = vi.cond(cond)
        text_en, _ = en.cond(cond)
        out.append(ConditionResult(text_vi, text_en, outcome))
    return tuple(out), _unique(vi.missing_notes), _unique(en.missing_notes)


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
