"""Text people type or send: comments and reasons (one rule for every timeline), file names."""

import re
import unicodedata

from kieumau.core.errors import ValidationFailed

MAX_COMMENT = 4000
"""The longest comment a timeline accepts (characters)."""


def clean_comment(text: str, *, field: str = "comment", limit: int = MAX_COMMENT) -> str:
    """The comment without surrounding spaces; refuses an empty or over-long one in Vietnamese.

    Protects timelines from empty entries and from pasted documents; the text is otherwise
    stored as typed and escaped wherever it is shown.
    """
    text = (text or "").strip()
    if not text:
        raise ValidationFailed.single("nội dung trống", "empty comment", field=field)
    if len(text) > limit:
        raise ValidationFailed.single(
            f"nội dung dài quá {limit:,} ký tự".replace(",", "."), "too long", field=field
        )
    return text


_FORBIDDEN_NAME_CHARS = re.compile(r"[\\/]")


def clean_filename(name: str) -> str:
    """The user's file name reduced to a plain display name.

    Protects every place the name is shown or sent back (pages, messages, Content-Disposition):
    any directory part is dropped ("C:\\fakepath\\x.pdf", "../../x.pdf"), control and
    formatting characters are removed (NUL, newlines, right-to-left overrides that make
    "gpj.exe" read as "exe.jpg"), trailing dots and spaces go (Windows ignores them), and the
    result is NFC and at most 255 characters with its extension kept.
    """
    base = _FORBIDDEN_NAME_CHARS.split(name or "")[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(
        " " if unicodedata.category(ch)[0] == "Z" else ch
        for ch in base
        if unicodedata.category(ch)[0] != "C"
    )
    base = base.strip().rstrip(". ")
    if len(base) > 255:
        _stem, dot, ext = base.rpartition(".")
        keep = f".{ext}" if dot and len(ext) <= 10 else ""
        base = base[: 255 - len(keep)].rstrip(". ") + keep
    return base
