"""Free text that people type into comments and reasons: one rule for every timeline."""

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
