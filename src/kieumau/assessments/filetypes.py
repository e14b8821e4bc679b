"""What an uploaded evidence file really is, told from its bytes and never from its name.

Accepted: PDF, PNG/JPEG/GIF/WebP images, Word .docx and Excel .xlsx. The name only has to
agree: a file whose extension says one thing while its content is another is refused as
spoofed, so nobody is handed a "báo cáo.pdf" that is really a program or a web page.
Office documents are zip packages; only their directory and [Content_Types].xml are read
(bounded), so a hostile package is judged without inflating it. Macro-enabled documents,
password-protected (encrypted OLE2) documents and the legacy .doc/.xls formats are refused with
a message saying what to do instead.

Pure: bytes and a name in, a `FileType` out or `ValidationFailed` with a Vietnamese message.
"""

import io
import zipfile
import zlib
from dataclasses import dataclass
from typing import NoReturn

from kieumau.core.errors import ValidationFailed
from kieumau.core.text import clean_filename

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ACCEPTED_MESSAGE = (
    "định dạng không được chấp nhận: chỉ nhận PDF, ảnh PNG/JPEG/GIF/WebP, Word .docx, Excel .xlsx"
)

MAX_ZIP_ENTRIES = 2000
"""Parts in an Office package; a report with a hundred photos has a few hundred."""
MAX_ZIP_UNCOMPRESSED = 1024 * 1024 * 1024
"""Total inflated size the package declares; photos barely compress, XML ~10-20 times."""
MAX_ZIP_RATIO = 200
"""Declared inflation over packed size beyond which a large package is a zip bomb."""
ZIP_RATIO_FLOOR = 16 * 1024 * 1024
"""Below this inflated size no ratio is checked (small repetitive XML compresses very well)."""
MAX_CONTENT_TYPES_BYTES = 512 * 1024
"""[Content_Types].xml is a few kilobytes; more than this is not an Office package."""

OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGIC = b"PK\x03\x04"
CONTENT_TYPES = "[Content_Types].xml"
WORD_MAIN = "word/document.xml"
EXCEL_MAIN = "xl/workbook.xml"


@dataclass(frozen=True)
class FileType:
    """An accepted kind of evidence: its code, content type, label and name endings."""

    kind: str
    content_type: str
    label: str
    extensions: tuple[str, ...]
    inline: bool

    @property
    def extension(self) -> str:
        """The canonical name ending, for names that arrive without one."""
        return self.extensions[0]


PDF = FileType("pdf", "application/pdf", "tài liệu PDF", (".pdf",), True)
PNG = FileType("png", "image/png", "ảnh PNG", (".png",), True)
JPEG = FileType("jpeg", "image/jpeg", "ảnh JPEG", (".jpg", ".jpeg", ".jpe", ".jfif"), True)
GIF = FileType("gif", "image/gif", "ảnh GIF", (".gif",), True)
WEBP = FileType("webp", "image/webp", "ảnh WebP", (".webp",), True)
DOCX = FileType("docx", DOCX_TYPE, "tài liệu Word .docx", (".docx",), False)
XLSX = FileType("xlsx", XLSX_TYPE, "bảng tính Excel .xlsx", (".xlsx",), False)
ACCEPTED = (PDF, PNG, JPEG, GIF, WEBP, DOCX, XLSX)
BY_KIND = {t.kind: t for t in ACCEPTED}
_BY_EXTENSION = {ext: t for t in ACCEPTED for ext in t.extensions}

# Recognised but refused formats, so the message can say what the file really is.
_FOREIGN_PREFIXES = (
    (b"MZ", "tệp chương trình Windows (.exe/.dll)"),
    (b"\x7fELF", "tệp chương trình (ELF)"),
    (b"#!", "tệp lệnh (script)"),
    (b"{\\rtf", "tài liệu RTF"),
    (b"Rar!\x1a\x07", "tệp nén RAR"),
    (b"7z\xbc\xaf\x27\x1c", "tệp nén 7z"),
    (b"\x1f\x8b", "tệp nén gzip"),
    (b"PK\x05\x06", "tệp nén ZIP rỗng"),
    (b"II*\x00", "ảnh TIFF"),
    (b"MM\x00*", "ảnh TIFF"),
)
_HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<iframe")
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif")


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


_OLE_ENCRYPTED = _utf16("EncryptedPackage")
_OLE_WORD = _utf16("WordDocument")
_OLE_EXCEL = (_utf16("Workbook"), _utf16("Book"))
_OLE_POWERPOINT = _utf16("PowerPoint Document")


def extension_of(name: str) -> str:
    """The lower-case extension of a cleaned name (".pdf"), or "" when it has none.

    A leading dot alone (".pdf") is a hidden file's name, not an extension.
    """
    stem, dot, ext = name.rpartition(".")
    return f".{ext.lower()}" if dot and stem and ext else ""


def _refuse(name: str, message: str, message_en: str) -> NoReturn:
    """Raise the one kind of refusal every check here gives: the file, and why."""
    raise ValidationFailed.single(message, message_en, field="file", value=name or None)


def _ole2(data: bytes, name: str) -> str:
    """Refuse an OLE2 compound file, saying which kind it is; returns a label if none matched.

    Password-protected .docx/.xlsx are OLE2 files holding an "EncryptedPackage" stream; legacy
    Word and Excel files hold "WordDocument" and "Workbook" streams. The directory entry names
    are UTF-16, so a plain search of the bytes finds them without parsing the container.
    """
    shown = f"tệp '{name}'"
    if _OLE_ENCRYPTED in data:
        _refuse(
            name,
            f"{shown} được đặt mật khẩu (đã mã hóa) nên không kiểm tra được nội dung; hãy mở "
            "tệp, bỏ mật khẩu, lưu lại rồi tải lên",
            "password-protected (encrypted) Office file",
        )
    if _OLE_WORD in data:
        _refuse(
            name,
            f"{shown} là tài liệu Word .doc định dạng cũ; hãy mở bằng Word và lưu lại dạng "
            "Tài liệu Word (.docx) rồi tải lên",
            "legacy .doc file",
        )
    if any(marker in data for marker in _OLE_EXCEL):
        _refuse(
            name,
            f"{shown} là bảng tính Excel .xls định dạng cũ; hãy mở bằng Excel và lưu lại dạng "
            "Sổ làm việc Excel (.xlsx) rồi tải lên",
            "legacy .xls file",
        )
    if _OLE_POWERPOINT in data:
        return "bản trình chiếu PowerPoint .ppt"
    return "tệp Office định dạng cũ (OLE2)"


def _zip_infos(data: bytes, name: str) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
    """Open a zip package and refuse it as a bomb or as damaged from its directory alone.

    Protects the server and whoever opens the file later: the entry count, the total size the
    directory declares and its inflation ratio are checked before anything is decompressed;
    encrypted entries and duplicate names (two parts claiming one name) are refused.
    """
    shown = f"tệp '{name}'"
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        infos = package.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        _refuse(name, f"{shown} là tệp nén bị hỏng, không đọc được", "damaged zip package")
    if len(infos) > MAX_ZIP_ENTRIES:
        _refuse(
            name,
            f"{shown} có {len(infos)} phần nén, vượt giới hạn {MAX_ZIP_ENTRIES}; không phải "
            "tài liệu bình thường",
            "too many zip entries",
        )
    if len({i.filename for i in infos}) != len(infos):
        _refuse(
            name,
            f"{shown} có hai phần nén trùng tên; tệp bị hỏng hoặc đã bị sửa",
            "duplicate zip entry names",
        )
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos)
    if total > MAX_ZIP_UNCOMPRESSED or (
        total > ZIP_RATIO_FLOOR and total > MAX_ZIP_RATIO * max(packed, 1)
    ):
        _refuse(
            name,
            f'{shown} có tỷ lệ nén bất thường (dấu hiệu "bom nén") nên bị từ chối',
            "zip bomb",
        )
    if any(i.flag_bits & 0x1 for i in infos):
        _refuse(
            name,
            f"{shown} được đặt mật khẩu (đã mã hóa); hãy bỏ mật khẩu, lưu lại rồi tải lên",
            "encrypted zip entries",
        )
    return package, infos


def _content_types(package: zipfile.ZipFile, name: str) -> str:
    """[Content_Types].xml as lower-case text, read with a hard size bound."""
    try:
        with package.open(CONTENT_TYPES) as part:
            raw = part.read(MAX_CONTENT_TYPES_BYTES + 1)
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError, zlib.error):
        _refuse(name, f"tệp '{name}' là tệp nén bị hỏng, không đọc được", "damaged zip part")
    if len(raw) > MAX_CONTENT_TYPES_BYTES:
        _refuse(name, f"tệp '{name}' có cấu trúc bất thường", "oversized content types part")
    return raw.decode("utf-8", "replace").lower()


def _office(data: bytes, name: str) -> FileType | str:
    """A zip package as Word .docx or Excel .xlsx, or the label of what else it is.

    Macro-enabled documents (a vbaProject.bin part, or a "macroEnabled" content type) are
    refused outright: the name can say .docx while the content is a .docm.
    """
    package, infos = _zip_infos(data, name)
    with package:
        names = {i.filename for i in infos}
        if CONTENT_TYPES not in names:
            return "tệp nén ZIP"
        types = _content_types(package, name)
        word, excel = WORD_MAIN in names, EXCEL_MAIN in names
        macro = any(n.lower().rsplit("/", 1)[-1] == "vbaproject.bin" for n in names) or (
            "macroenabled" in types or "vbaproject" in types
        )
    if macro:
        if word:
            what, plain = "tài liệu Word có macro (.docm)", "Tài liệu Word (.docx)"
        elif excel:
            what, plain = "bảng tính Excel có macro (.xlsm)", "Sổ làm việc Excel (.xlsx)"
        else:
            what, plain = "tệp Office có macro", ".docx hoặc .xlsx"
        _refuse(
            name,
            f"tệp '{name}' thực chất là {what}; hệ thống không nhận tệp có macro — hãy lưu lại "
            f"dạng {plain} không có macro rồi tải lên",
            "macro-enabled Office file",
        )
    if word and not excel:
        return DOCX
    if excel and not word:
        return XLSX
    if "xl/workbook.bin" in names:
        return "bảng tính Excel nhị phân (.xlsb)"
    if "ppt/presentation.xml" in names:
        return "bản trình chiếu PowerPoint .pptx"
    return "tệp Office không rõ loại"


def _markup(data: bytes) -> str | None:
    """A label for HTML, SVG or XML text, which a browser could run as a page."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if not head.startswith(b"<"):
        return None
    if head.startswith(b"<svg") or b"<svg" in head:
        return "ảnh SVG (có thể chứa mã lệnh)"
    if any(marker in head for marker in _HTML_MARKERS):
        return "trang web HTML"
    if head.startswith(b"<?xml"):
        return "tệp XML"
    return "tệp văn bản có thẻ đánh dấu (HTML/XML)"


def _sniff(data: bytes, name: str) -> FileType | str | None:
    """What the bytes are: an accepted FileType, a label of a refused format, or None.

    Refuses outright (ValidationFailed) what no name could make acceptable: encrypted, macro-
    enabled, legacy Office, damaged or bomb-like packages.
    """
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(ZIP_MAGIC):
        return _office(data, name)
    if data.startswith(OLE2_MAGIC):
        return _ole2(data, name)
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return "ảnh HEIC/AVIF"
    if data[:2] == b"BM" and data[6:10] == b"\0\0\0\0":
        return "ảnh BMP"
    for prefix, label in _FOREIGN_PREFIXES:
        if data.startswith(prefix):
            return label
    return _markup(data)


def identify(data: bytes, filename: str) -> FileType:
    """The accepted type of an upload, checked from its content; ValidationFailed otherwise.

    Protects everyone who later opens the evidence: the type served back is the one the bytes
    prove, and a name that disagrees with the content (a PNG called .pdf, a program called
    .pdf, a .docm renamed .docx) is refused as spoofed instead of being trusted or renamed.
    A name with no extension is accepted; the caller adds the canonical one.
    """
    name = clean_filename(filename)
    if not data:
        _refuse(name, f"tệp '{name}' rỗng", "empty file")
    found = _sniff(data, name)
    ext = extension_of(name)
    if isinstance(found, FileType):
        if ext and ext not in found.extensions:
            _refuse(
                name,
                f"tệp '{name}' thực chất là {found.label}, không khớp với đuôi {ext}; hãy đặt "
                f"lại tên tệp với đuôi {found.extension} rồi tải lên",
                "file name extension does not match its content (spoofed type)",
            )
        return found
    claimed = _BY_EXTENSION.get(ext)
    if claimed is not None and found:
        detail = f"thực chất là {found}, không phải {claimed.label}"
    elif claimed is not None:
        detail = f"không phải {claimed.label} thật (nội dung không khớp với đuôi {ext})"
    elif found:
        detail = f"là {found}"
    else:
        detail = "không rõ định dạng"
    _refuse(name, f"tệp '{name}' {detail}; {ACCEPTED_MESSAGE}", "file type not accepted")
