"""The Vietnamese catalogue is complete, compiled, covers every source string, and is used.

Source strings are English (templates and Python); Vietnamese is the default UI language.
These tests need no gettext tools: the .po is parsed here and the .mo is read with `gettext`.
"""

import ast
import gettext
import re
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parents[2] / "src" / "kieumau"
LOCALE_DIR = PACKAGE_DIR / "locale" / "vi" / "LC_MESSAGES"
PO_PATH = LOCALE_DIR / "django.po"
MO_PATH = LOCALE_DIR / "django.mo"


# --- a tiny .po parser -------------------------------------------------------------------------


class PoEntry:
    def __init__(self):
        self.flags: set[str] = set()
        self.msgctxt: str | None = None
        self.msgid = ""
        self.msgid_plural: str | None = None
        self.msgstr: dict[int, str] = {}
        self.obsolete = False
        self.line = 0

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    def __repr__(self) -> str:
        return f"<PoEntry line {self.line} {self.msgid!r}>"


_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')
_CONTINUATION = re.compile(r'^(".*")\s*$')


def parse_po(path: Path) -> list[PoEntry]:
    """Entries of a .po file, header included (msgid ""). Strings are unescaped."""
    entries: list[PoEntry] = []
    current: PoEntry | None = None
    field: tuple[str, int | None] | None = None

    def start() -> PoEntry:
        entry = PoEntry()
        entries.append(entry)
        return entry

    def append(entry: PoEntry, target: tuple[str, int | None], text: str) -> None:
        name, index = target
        if name == "msgstr":
            entry.msgstr[index or 0] = entry.msgstr.get(index or 0, "") + text
        else:
            setattr(entry, name, (getattr(entry, name) or "") + text)

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            current, field = None, None
            continue
        if line.startswith("#~"):
            (current or (current := start())).obsolete = True
            continue
        if line.startswith("#,"):
            current = current or start()
            current.flags.update(f.strip() for f in line[2:].split(","))
            continue
        if line.startswith("#"):
            current = current or start()
            continue
        match = _KEYWORD.match(line)
        if match:
            keyword, index, quoted = match.groups()
            if current is None or (keyword in ("msgid", "msgctxt") and current.msgstr):
                current = start()
            if not current.line:
                current.line = number
            name = "msgstr" if keyword.startswith("msgstr") else keyword
            field = (name, int(index) if index is not None else None)
            append(current, field, ast.literal_eval(quoted))
            continue
        match = _CONTINUATION.match(line)
        assert match and current is not None and field is not None, f"{path}:{number}: {raw!r}"
        append(current, field, ast.literal_eval(match.group(1)))
    return [e for e in entries if not e.obsolete]


@pytest.fixture(scope="module")
def po_entries() -> list[PoEntry]:
    return parse_po(PO_PATH)


@pytest.fixture(scope="module")
def po_messages(po_entries) -> list[PoEntry]:
    return [e for e in po_entries if e.msgid != ""]


def test_po_header_is_vietnamese_utf8_with_one_plural_form(po_entries):
    header = next(e for e in po_entries if e.msgid == "" and e.msgctxt is None)
    assert "fuzzy" not in header.flags
    text = header.msgstr[0]
    assert "Language: vi\n" in text
    assert "charset=UTF-8" in text
    assert "Plural-Forms: nplurals=1; plural=0;" in text


def test_every_message_is_translated_and_not_fuzzy(po_messages):
    assert len(po_messages) > 100, "the catalogue looks truncated"
    fuzzy = [e for e in po_messages if "fuzzy" in e.flags]
    assert not fuzzy, f"fuzzy entries: {fuzzy}"
    untranslated = [e for e in po_messages if not all(s.strip() for s in e.msgstr.values())]
    assert not untranslated, f"untranslated entries: {untranslated}"
    wrong_plurals = [e for e in po_messages if e.msgid_plural and sorted(e.msgstr) != [0]]
    assert not wrong_plurals, f"Vietnamese has one plural form (msgstr[0] only): {wrong_plurals}"
    singular_with_index = [e for e in po_messages if not e.msgid_plural and sorted(e.msgstr) != [0]]
    assert not singular_with_index, singular_with_index


_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")


def test_translations_keep_the_placeholders(po_messages):
    bad = []
    for e in po_messages:
        wanted = sorted(_PLACEHOLDER.findall(e.msgid_plural or e.msgid))
        for text in e.msgstr.values():
            if sorted(_PLACEHOLDER.findall(text)) != wanted:
                bad.append(e)
    assert not bad, f"placeholders differ between msgid and msgstr: {bad}"


# Messages that are legitimately identical in Vietnamese (codes, acronyms); add sparingly.
SAME_IN_BOTH_LANGUAGES = {"API", "CSV", "YAML", "ID", "Excel"}


def test_translations_are_vietnamese(po_messages):
    """A sanity check against English copied into msgstr: key terms use the glossary."""
    by_id = {e.msgid: e.msgstr[0] for e in po_messages if e.msgctxt is None}
    expected = {
        "Units": "Đơn vị",
        "Audit log": "Nhật ký hệ thống",
        "Sign in": "Đăng nhập",
        "Ministry administrator": "Quản trị viên cấp Bộ",
        "Province appraiser": "Cán bộ thẩm định cấp tỉnh",
        "Unit officer": "Cán bộ Công an xã/phường",
        "Agency officer": "Cán bộ sở, ngành",
        "Ward": "Phường",
        "Commune": "Xã",
        "Township": "Thị trấn",
        "Special zone": "Đặc khu",
        "Residential group": "Tổ dân phố",
        "Provincial city": "Thành phố thuộc tỉnh",
        "Town": "Thị xã",
        "Urban district": "Quận",
        "Rural district": "Huyện",
        "Centrally-run city": "Thành phố trực thuộc Trung ương",
        "Merged": "Sáp nhập",
        "Split": "Chia tách",
        "Dissolved": "Giải thể",
        "Moved to another parent": "Chuyển đơn vị cấp trên",
        "Model ward police for security, order and civilised urban life": (
            "Công an phường điển hình, kiểu mẫu về an ninh, trật tự và văn minh đô thị"
        ),
    }
    assert {k: by_id.get(k) for k in expected} == expected
    same_as_english = [
        e
        for e in po_messages
        if e.msgstr[0] == e.msgid
        and e.msgid not in SAME_IN_BOTH_LANGUAGES
        and not re.fullmatch(r"[\W\d]*", e.msgid)
    ]
    assert not same_as_english, f"msgstr equals the English msgid: {same_as_english}"


# --- the compiled catalogue ----------------------------------------------------------------------


def test_mo_is_compiled_from_the_current_po(po_messages):
    """django.mo must say exactly what django.po says (run `kieumau compilemessages -l vi`)."""
    with MO_PATH.open("rb") as fh:
        mo = gettext.GNUTranslations(fh)
    stale = []
    expected_keys: set = {""}
    for e in po_messages:
        if e.msgid_plural is None:
            key = f"{e.msgctxt}\x04{e.msgid}" if e.msgctxt is not None else e.msgid
            expected_keys.add(key)
            got = mo.pgettext(e.msgctxt, e.msgid) if e.msgctxt is not None else mo.gettext(e.msgid)
            if got != e.msgstr[0]:
                stale.append((e.msgid, got, e.msgstr[0]))
        else:
            ident = f"{e.msgctxt}\x04{e.msgid}" if e.msgctxt is not None else e.msgid
            expected_keys.add((ident, 0))
            for n in (1, 2, 5):
                got = (
                    mo.npgettext(e.msgctxt, e.msgid, e.msgid_plural, n)
                    if e.msgctxt is not None
                    else mo.ngettext(e.msgid, e.msgid_plural, n)
                )
                if got != e.msgstr[0]:
                    stale.append((e.msgid, got, e.msgstr[0]))
    assert not stale, f"django.mo is out of date with django.po: {stale[:10]}"
    extra = set(mo._catalog) - expected_keys
    assert not extra, f"django.mo has messages that django.po lacks: {sorted(map(str, extra))[:10]}"
    assert mo.info().get("language") == "vi"
    assert mo.ngettext("a", "b", 5) == "b"  # unknown messages fall through
    assert mo.plural(5) == 0


# --- every source string is in the catalogue ----------------------------------------------------

_QUOTED = r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\''
_TRANSLATE_TAG = re.compile(
    r"{%\s*(?:translate|trans)\s+(?P<msg>" + _QUOTED + r")(?P<rest>[^%]*?)%}", re.DOTALL
)
_BLOCK_TAG = re.compile(
    r"{%\s*(?:blocktranslate|blocktrans)\b(?P<opts>.*?)%}(?P<body>.*?)"
    r"{%\s*(?:endblocktranslate|endblocktrans)\s*%}",
    re.DOTALL,
)
_PLURAL_TAG = re.compile(r"{%\s*plural\s*%}")
_CONTEXT_OPT = re.compile(r"\bcontext\s+(?P<ctx>" + _QUOTED + ")")
_VARIABLE = re.compile(r"{{\s*(\w+)\s*}}")


def _unquote(quoted: str) -> str:
    return quoted[1:-1]


def _block_text(body: str, trimmed: bool) -> str:
    text = _VARIABLE.sub(lambda m: f"%({m.group(1)})s", body.replace("%", "%%"))
    if trimmed:
        text = re.sub(r"\s*\n\s*", " ", text.strip())
    return text


def template_messages(source: str) -> set[tuple[str | None, str]]:
    found: set[tuple[str | None, str]] = set()
    for m in _TRANSLATE_TAG.finditer(source):
        ctx = _CONTEXT_OPT.search(m.group("rest"))
        msgid = _unquote(m.group("msg")).replace("%", "%%")
        found.add((_unquote(ctx.group("ctx")) if ctx else None, msgid))
    for m in _BLOCK_TAG.finditer(source):
        opts = m.group("opts")
        ctx = _CONTEXT_OPT.search(opts)
        trimmed = re.search(r"\btrimmed\b", opts) is not None
        singular = _PLURAL_TAG.split(m.group("body"))[0]
        found.add((_unquote(ctx.group("ctx")) if ctx else None, _block_text(singular, trimmed)))
    return found


_GETTEXT_FUNCS = {
    "_": (None, 0),
    "gettext": (None, 0),
    "gettext_lazy": (None, 0),
    "gettext_noop": (None, 0),
    "ngettext": (None, 0),
    "ngettext_lazy": (None, 0),
    "pgettext": (0, 1),
    "pgettext_lazy": (0, 1),
    "npgettext": (0, 1),
    "npgettext_lazy": (0, 1),
}


def python_messages(source: str, filename: str) -> set[tuple[str | None, str]]:
    found: set[tuple[str | None, str]] = set()
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name not in _GETTEXT_FUNCS:
            continue
        ctx_index, id_index = _GETTEXT_FUNCS[name]
        args = node.args
        if len(args) <= id_index:
            continue
        msg = args[id_index]
        if not (isinstance(msg, ast.Constant) and isinstance(msg.value, str)):
            continue
        ctx = None
        if ctx_index is not None:
            c = args[ctx_index]
            if not (isinstance(c, ast.Constant) and isinstance(c.value, str)):
                continue
            ctx = c.value
        found.add((ctx, msg.value))
    return found


def _source_files(pattern: str):
    for path in sorted(PACKAGE_DIR.rglob(pattern)):
        relative = path.relative_to(PACKAGE_DIR).parts
        if relative[0] in {"static", "locale"} or "__pycache__" in relative:
            continue
        yield path


def test_extractors_understand_the_tag_forms():
    source = (
        '{% translate \'One\' %} {% trans "Two" as two %} {% translate "M" context "month" %}'
        "{% blocktranslate with day=d|date:'Y' %}As of {{ day }}{% endblocktranslate %}"
        "{% blocktranslate count n=x|length %}{{ n }} unit{% plural %}{{ n }} units"
        "{% endblocktranslate %}{% blocktranslate trimmed %}\n  a\n  b 5%\n{% endblocktranslate %}"
    )
    assert template_messages(source) == {
        (None, "One"),
        (None, "Two"),
        ("month", "M"),
        (None, "As of %(day)s"),
        (None, "%(n)s unit"),
        (None, "a b 5%%"),
    }
    python = (
        "_('a')\ngettext_lazy('b')\ntranslation.pgettext('c', 'd')\n_(x)\nngettext('e', 'f', 2)"
    )
    assert python_messages(python, "x.py") == {(None, "a"), (None, "b"), ("c", "d"), (None, "e")}


def test_every_source_string_is_in_the_catalogue(po_messages):
    catalogue = {e.key for e in po_messages}
    wanted: dict[tuple[str | None, str], str] = {}
    for path in [*_source_files("*.html"), *_source_files("*.txt")]:
        for key in template_messages(path.read_text(encoding="utf-8")):
            wanted.setdefault(key, str(path.relative_to(PACKAGE_DIR)))
    for path in _source_files("*.py"):
        for key in python_messages(path.read_text(encoding="utf-8"), str(path)):
            wanted.setdefault(key, str(path.relative_to(PACKAGE_DIR)))
    assert len(wanted) > 100, "the extractors found suspiciously few strings"
    missing = {key: where for key, where in wanted.items() if key not in catalogue}
    assert not missing, (
        "strings missing from locale/vi/LC_MESSAGES/django.po (run `kieumau makemessages -l vi "
        f"--no-obsolete --ignore 'static/*'`, translate, compilemessages): {missing}"
    )


# --- the pages use it -----------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, hierarchy, make_user):
    client.force_login(make_user("ministry_admin", "VN"))
    return client


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_login_page_is_vietnamese_by_default(client, db):
    html = _text(client.get("/accounts/login/"))
    assert '<html lang="vi"' in html
    assert "<h1>Đăng nhập</h1>" in html
    assert "Tên đăng nhập" in html
    assert "Mật khẩu" in html
    assert "Công an phường điển hình, kiểu mẫu về an ninh, trật tự và văn minh đô thị" in html
    assert ">English</button>" in html


def test_home_and_tree_are_vietnamese_by_default(admin_client):
    home = _text(admin_client.get("/"))
    assert "Xin chào" in home
    assert ">Đơn vị</a>" in home
    assert ">Nhật ký hệ thống</a>" in home
    assert "Quản trị viên cấp Bộ" in home
    assert "Đăng xuất" in home
    assert "Audit log" not in home

    tree = _text(admin_client.get("/units/", {"as_of": "2024-06-15"}))
    assert "<h1>Đơn vị</h1>" in tree
    assert "Hệ thống tổ chức tại ngày 15/06/2024" in tree
    assert "Quốc gia · VN · 3 đơn vị" in tree
    assert "Đang tải…" in tree


def test_pages_switch_to_english_via_setlang(admin_client):
    response = admin_client.post("/i18n/setlang/", {"language": "en", "next": "/units/"})
    assert response.status_code == 302
    assert response["Location"] == "/units/"

    tree = _text(admin_client.get("/units/", {"as_of": "2024-06-15"}))
    assert '<html lang="en"' in tree
    assert "<h1>Units</h1>" in tree
    assert "The hierarchy as of 2024-06-15" in tree
    assert "Nation · VN · 3 units" in tree
    assert "Đơn vị" not in tree
    assert ">Tiếng Việt</button>" in tree

    home = _text(admin_client.get("/"))
    assert "Hello," in home
    assert "Ministry administrator" in home

    admin_client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    assert "<h1>Đơn vị</h1>" in _text(admin_client.get("/units/"))


def test_anonymous_login_page_switches_to_english(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    html = _text(client.get("/accounts/login/"))
    assert "<h1>Sign in</h1>" in html
    assert "Đăng nhập" not in html


def test_vietnamese_dates_are_dd_mm_yyyy(admin_client):
    tree = _text(admin_client.get("/units/", {"as_of": "2025-03-17"}))
    assert "17/03/2025" in tree
    assert "2025-03-17</" not in tree

    detail = _text(admin_client.get("/units/A-W9/", {"as_of": "2026-01-01"}))
    assert "Tại ngày 01/01/2026" in detail
    assert ">01/07/2025</time>" in detail  # the merge that created A-W9
    assert "Sáp nhập" in detail
    assert "Phường" in detail

    gone = _text(admin_client.get("/units/B-W1/", {"as_of": "2026-01-01"}))
    assert "Đơn vị này không tồn tại vào ngày 01/01/2026" in gone
    assert "Đơn vị kế thừa:" in gone


def test_catalogue_covers_the_role_and_kind_choices():
    """Choices are translated lazily; every label must differ between Vietnamese and English."""
    from django.utils import translation

    from kieumau.accounts.permissions import Role
    from kieumau.orgunits.choices import EventKind, Kind, Level, Status

    untranslated = []
    for choices in (Role, Kind, Level, Status, EventKind):
        for value, label in choices.choices:
            with translation.override("vi"):
                vi = str(label)
            with translation.override("en"):
                en = str(label)
            if vi == en:
                untranslated.append((choices.__name__, value, en))
    assert not untranslated
    with translation.override("vi"):
        assert str(Kind.WARD.label) == "Phường"
        assert str(Role.PROVINCE_APPRAISER.label) == "Cán bộ thẩm định cấp tỉnh"
