"""Writing text into a cell so that a spreadsheet never runs it as a formula.

Text that starts with = + - @ (or a tab or carriage return) is what spreadsheet programs may
take for a formula ("formula injection": a unit name or a typed-in note such as
`=HYPERLINK("http://…")` would run in the reader's Excel). Every text the templates and error
reports write goes through `put_text`, which stores it as a string cell (never a formula
element) and, for those risky first characters, also sets Excel's own "quote prefix" — the
apostrophe you would type before such text — so that editing the cell keeps it text. The value
itself is unchanged, so a value read back from a template is the value that was written.
"""

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL_TEXT = 32_767


def is_risky(text: str) -> bool:
    """Whether a spreadsheet could read `text` as a formula when typed or edited."""
    return text.startswith(FORMULA_TRIGGERS)


def clean(text: str) -> str:
    """`text` without the control characters a workbook cannot hold, cut to Excel's cell limit.

    Protects the export from failing on a stray control character in a stored value or an
    uploaded cell (openpyxl refuses them), and from Excel's 32,767-character limit.
    """
    return ILLEGAL_CHARACTERS_RE.sub("", text)[:MAX_CELL_TEXT]


def put_text(cell, text: str) -> None:
    """Store `text` in `cell` as a plain string that can never become a formula."""
    value = clean(str(text))
    cell.value = value
    cell.data_type = "s"
    if is_risky(value):
        cell.quotePrefix = True
