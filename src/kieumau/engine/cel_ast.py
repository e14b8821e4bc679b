"""A small parser for CEL expressions that keeps source positions.

Why: the ``common-expression-language`` package (import name ``cel``) compiles and runs CEL but
exposes no syntax tree; ``Program.variables()``/``functions()`` give names without positions.
The rule editor needs positions ("dòng 1, cột 14: chỉ tiêu 'x' không tồn tại"), the type checker
needs the tree, and the explainer needs to split a rule into its comparisons. So this module
parses the CEL grammar (cel-spec ``langdef.md``) into frozen nodes with ``start``/``end``
character offsets.

The authority on what is valid CEL stays the ``cel`` package: :mod:`.rules` always compiles with
``cel.compile`` first and reports *its* syntax errors; this parser only runs on text that CEL
accepted. It covers the whole expression grammar (ternary, ``||``, ``&&``, relations including
``in``, arithmetic, unary ``!``/``-``, member selection, indexing, global and receiver calls,
list and map literals, int/uint/double/string/bytes/bool/null literals with escapes, ``//``
comments). Message construction (``Foo{a: 1}``) is not supported, and neither is it by the
``cel`` package (it fails at run time: "feature not enabled").

Columns are 1-based and count Unicode code points, as ``cel``'s own error messages do
(checked: ``'Hoàn thành xuất sắc' == 'x' &&& b`` is reported at column 32).
"""

from __future__ import annotations

from dataclasses import dataclass

RESERVED_WORDS = frozenset(
    {
        "as",
        "break",
        "const",
        "continue",
        "else",
        "for",
        "function",
        "if",
        "import",
        "let",
        "loop",
        "package",
        "namespace",
        "return",
        "var",
        "void",
        "while",
        "in",
        "true",
        "false",
        "null",
    }
)


class CelParseError(ValueError):
    """Raised when the text is not in the subset this parser understands."""

    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.offset = offset


# ---------------------------------------------------------------------------------------------
# Nodes
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    """Base class: every node knows the character range it came from."""

    start: int
    end: int


@dataclass(frozen=True)
class Literal(Node):
    """A literal; ``kind`` is int, uint, double, string, bytes, bool or null."""

    value: object
    kind: str


@dataclass(frozen=True)
class Ident(Node):
    """A bare identifier (an indicator code, ``params``, or a comprehension variable)."""

    name: str


@dataclass(frozen=True)
class Select(Node):
    """``operand.field``; ``field_start`` is where the field name begins."""

    operand: Node
    field: str
    field_start: int


@dataclass(frozen=True)
class Index(Node):
    """``operand[index]``."""

    operand: Node
    index: Node


@dataclass(frozen=True)
class Call(Node):
    """A call: ``name(args)`` (``target`` is None) or ``target.name(args)``."""

    function: str
    args: tuple[Node, ...]
    target: Node | None
    name_start: int


@dataclass(frozen=True)
class Unary(Node):
    """``!x`` or ``-x``."""

    op: str
    operand: Node


@dataclass(frozen=True)
class Binary(Node):
    """A binary operator: || && == != < <= > >= in + - * / %."""

    op: str
    left: Node
    right: Node
    op_start: int


@dataclass(frozen=True)
class Ternary(Node):
    """``cond ? then : other``."""

    cond: Node
    then: Node
    other: Node


@dataclass(frozen=True)
class ListExpr(Node):
    """``[a, b, c]``."""

    items: tuple[Node, ...]


@dataclass(frozen=True)
class MapExpr(Node):
    """``{k: v, ...}``."""

    entries: tuple[tuple[Node, Node], ...]


# ---------------------------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    """One lexical token with its character range; ``value`` holds decoded literals."""

    kind: str  # INT UINT DOUBLE STRING BYTES IDENT OP EOF
    text: str
    start: int
    end: int
    value: object = None


_OPERATORS = (
    "&&",
    "||",
    "==",
    "!=",
    "<=",
    ">=",
    "<",
    ">",
    "!",
    "+",
    "-",
    "*",
    "/",
    "%",
    "?",
    ":",
    ".",
    ",",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
)
_SIMPLE_ESCAPES = {
    "\\": "\\",
    "'": "'",
    '"': '"',
    "`": "`",
    "?": "?",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
}


def _decode_escapes(body: str, start: int) -> str:
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        nxt = body[i + 1] if i + 1 < len(body) else ""
        if nxt in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[nxt])
            i += 2
        elif nxt in "xX":
            out.append(chr(int(body[i + 2 : i + 4], 16)))
            i += 4
        elif nxt == "u":
            out.append(chr(int(body[i + 2 : i + 6], 16)))
            i += 6
        elif nxt == "U":
            out.append(chr(int(body[i + 2 : i + 10], 16)))
            i += 10
        elif nxt and nxt in "0123":
            out.append(chr(int(body[i + 1 : i + 4], 8)))
            i += 4
        else:
            raise CelParseError("invalid escape sequence", start + i)
    return "".join(out)


def tokenize(source: str) -> list[Token]:
    """Split ``source`` into tokens (comments and whitespace dropped)."""
    tokens: list[Token] = []
    i = 0
    n = len(source)
    while i < n:
        ch = source[i]
        if ch in " \t\r\n\f":
            i += 1
            continue
        if source.startswith("//", i):
            while i < n and source[i] != "\n":
                i += 1
            continue
        start = i
        # String and bytes literals, with optional r/b prefixes.
        prefix_len = 0
        while prefix_len < 2 and i + prefix_len < n and source[i + prefix_len] in "rRbB":
            prefix_len += 1
        if (
            i + prefix_len < n
            and source[i + prefix_len] in "'\""
            and (prefix_len == 0 or not _ident_char_before(source, i))
        ):
            prefix = source[i : i + prefix_len].lower()
            j = i + prefix_len
            quote = source[j]
            triple = source.startswith(quote * 3, j)
            delim = quote * 3 if triple else quote
            j += len(delim)
            body_start = j
            raw = "r" in prefix
            while True:
                if j >= n:
                    raise CelParseError("unterminated string", start)
                if source.startswith(delim, j):
                    break
                if source[j] == "\\" and not raw:
                    j += 2
                    continue
                if source[j] == "\n" and not triple:
                    raise CelParseError("newline in string", j)
                j += 1
            body = source[body_start:j]
            value = body if raw else _decode_escapes(body, body_start)
            j += len(delim)
            kind = "BYTES" if "b" in prefix else "STRING"
            tokens.append(Token(kind, source[start:j], start, j, value))
            i = j
            continue
        if ch.isalpha() or ch == "_":
            j = i + 1
            while j < n and (source[j].isalnum() or source[j] == "_"):
                j += 1
            tokens.append(Token("IDENT", source[i:j], i, j))
            i = j
            continue
        if ch.isdigit() or (ch == "." and i + 1 < n and source[i + 1].isdigit()):
            i = _number(source, i, tokens)
            continue
        for op in _OPERATORS:
            if source.startswith(op, i):
                tokens.append(Token("OP", op, i, i + len(op)))
                i += len(op)
                break
        else:
            raise CelParseError(f"unexpected character {ch!r}", i)
    tokens.append(Token("EOF", "", n, n))
    return tokens


def _ident_char_before(source: str, i: int) -> bool:
    return i > 0 and (source[i - 1].isalnum() or source[i - 1] == "_")


def _number(source: str, i: int, tokens: list[Token]) -> int:
    n = len(source)
    start = i
    if source.startswith(("0x", "0X"), i):
        j = i + 2
        while j < n and source[j] in "0123456789abcdefABCDEF":
            j += 1
        value = int(source[i + 2 : j], 16)
        if j < n and source[j] in "uU":
            tokens.append(Token("UINT", source[start : j + 1], start, j + 1, value))
            return j + 1
        tokens.append(Token("INT", source[start:j], start, j, value))
        return j
    j = i
    while j < n and source[j].isdigit():
        j += 1
    is_double = False
    if j < n and source[j] == "." and j + 1 < n and source[j + 1].isdigit():
        is_double = True
        j += 1
        while j < n and source[j].isdigit():
            j += 1
    if j < n and source[j] in "eE":
        k = j + 1
        if k < n and source[k] in "+-":
            k += 1
        if k < n and source[k].isdigit():
            is_double = True
            j = k
            while j < n and source[j].isdigit():
                j += 1
    text = source[start:j]
    if is_double:
        tokens.append(Token("DOUBLE", text, start, j, float(text)))
        return j
    if j < n and source[j] in "uU":
        tokens.append(Token("UINT", source[start : j + 1], start, j + 1, int(text)))
        return j + 1
    tokens.append(Token("INT", text, start, j, int(text)))
    return j


# ---------------------------------------------------------------------------------------------
# Parser
# ---------------------------------------------------------------------------------------------

_RELOPS = frozenset({"<", "<=", ">", ">=", "==", "!=", "in"})


class _Parser:
    def __init__(self, source: str):
        self.source = source
        self.tokens = tokenize(source)
        self.pos = 0

    # helpers
    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def _is_op(self, *ops: str) -> bool:
        t = self.tok
        return (t.kind == "OP" and t.text in ops) or (
            t.kind == "IDENT" and t.text == "in" and "in" in ops
        )

    def _advance(self) -> Token:
        t = self.tokens[self.pos]
        self.pos += 1
        return t

    def _expect(self, op: str) -> Token:
        if not self._is_op(op):
            raise CelParseError(f"expected '{op}'", self.tok.start)
        return self._advance()

    # grammar
    def parse(self) -> Node:
        node = self.expr()
        if self.tok.kind != "EOF":
            raise CelParseError(f"unexpected '{self.tok.text}'", self.tok.start)
        return node

    def expr(self) -> Node:
        cond = self.cond_or()
        if self._is_op("?"):
            self._advance()
            then = self.cond_or()
            self._expect(":")
            other = self.expr()
            return Ternary(cond.start, other.end, cond, then, other)
        return cond

    def cond_or(self) -> Node:
        left = self.cond_and()
        while self._is_op("||"):
            op = self._advance()
            right = self.cond_and()
            left = Binary(left.start, right.end, "||", left, right, op.start)
        return left

    def cond_and(self) -> Node:
        left = self.relation()
        while self._is_op("&&"):
            op = self._advance()
            right = self.relation()
            left = Binary(left.start, right.end, "&&", left, right, op.start)
        return left

    def relation(self) -> Node:
        left = self.addition()
        while self._is_op(*_RELOPS):
            op = self._advance()
            right = self.addition()
            left = Binary(left.start, right.end, op.text, left, right, op.start)
        return left

    def addition(self) -> Node:
        left = self.multiplication()
        while self._is_op("+", "-"):
            op = self._advance()
            right = self.multiplication()
            left = Binary(left.start, right.end, op.text, left, right, op.start)
        return left

    def multiplication(self) -> Node:
        left = self.unary()
        while self._is_op("*", "/", "%"):
            op = self._advance()
            right = self.unary()
            left = Binary(left.start, right.end, op.text, left, right, op.start)
        return left

    def unary(self) -> Node:
        if self._is_op("!", "-"):
            op = self._advance()
            operand = self.unary()
            return Unary(op.start, operand.end, op.text, operand)
        return self.member()

    def member(self) -> Node:
        node = self.primary()
        while True:
            if self._is_op("."):
                self._advance()
                name = self.tok
                if name.kind != "IDENT":
                    raise CelParseError("expected a field name after '.'", name.start)
                self._advance()
                if self._is_op("("):
                    args, end = self._args(")")
                    node = Call(node.start, end, name.text, args, node, name.start)
                else:
                    node = Select(node.start, name.end, node, name.text, name.start)
            elif self._is_op("["):
                self._advance()
                index = self.expr()
                close = self._expect("]")
                node = Index(node.start, close.end, node, index)
            else:
                return node

    def _args(self, closing: str) -> tuple[tuple[Node, ...], int]:
        self._advance()  # opening bracket
        items: list[Node] = []
        while not self._is_op(closing):
            items.append(self.expr())
            if self._is_op(","):
                self._advance()
            elif not self._is_op(closing):
                raise CelParseError(f"expected ',' or '{closing}'", self.tok.start)
        close = self._advance()
        return tuple(items), close.end

    def primary(self) -> Node:
        t = self.tok
        if t.kind in ("INT", "UINT", "DOUBLE", "STRING", "BYTES"):
            self._advance()
            kind = {
                "INT": "int",
                "UINT": "uint",
                "DOUBLE": "double",
                "STRING": "string",
                "BYTES": "bytes",
            }[t.kind]
            return Literal(t.start, t.end, t.value, kind)
        if t.kind == "IDENT":
            if t.text in ("true", "false"):
                self._advance()
                return Literal(t.start, t.end, t.text == "true", "bool")
            if t.text == "null":
                self._advance()
                return Literal(t.start, t.end, None, "null")
            if t.text in RESERVED_WORDS:
                raise CelParseError(f"reserved identifier '{t.text}'", t.start)
            self._advance()
            if self._is_op("("):
                args, end = self._args(")")
                return Call(t.start, end, t.text, args, None, t.start)
            if self._is_op("{"):
                raise CelParseError("message construction is not supported", t.start)
            return Ident(t.start, t.end, t.text)
        if t.kind == "OP" and t.text == ".":
            # Leading-dot (root scope) identifier: ".name".
            self._advance()
            return self.primary()
        if t.kind == "OP" and t.text == "(":
            self._advance()
            inner = self.expr()
            self._expect(")")
            return inner
        if t.kind == "OP" and t.text == "[":
            items, end = self._args("]")
            return ListExpr(t.start, end, items)
        if t.kind == "OP" and t.text == "{":
            self._advance()
            entries: list[tuple[Node, Node]] = []
            while not self._is_op("}"):
                key = self.expr()
                self._expect(":")
                value = self.expr()
                entries.append((key, value))
                if self._is_op(","):
                    self._advance()
                elif not self._is_op("}"):
                    raise CelParseError("expected ',' or '}'", self.tok.start)
            close = self._advance()
            return MapExpr(t.start, close.end, tuple(entries))
        raise CelParseError(f"unexpected '{t.text or 'end of input'}'", t.start)


def parse(source: str) -> Node:
    """Parse CEL ``source`` into a tree of nodes with character offsets.

    Raises :class:`CelParseError` (with ``offset``) on text outside the supported grammar.
    """
    return _Parser(source).parse()


def line_col(source: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of character ``offset`` in ``source``, counting code points."""
    offset = max(0, min(offset, len(source)))
    line = source.count("\n", 0, offset) + 1
    last_nl = source.rfind("\n", 0, offset)
    return line, offset - last_nl


def walk(node: Node):
    """Yield ``node`` and all its descendants, parents first."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-nodes of ``node`` in source order."""
    if isinstance(node, Select):
        return (node.operand,)
    if isinstance(node, Index):
        return (node.operand, node.index)
    if isinstance(node, Call):
        return ((node.target,) if node.target is not None else ()) + node.args
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Ternary):
        return (node.cond, node.then, node.other)
    if isinstance(node, ListExpr):
        return node.items
    if isinstance(node, MapExpr):
        return tuple(x for pair in node.entries for x in pair)
    return ()
