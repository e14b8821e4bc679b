"""Real, minimal sample files for the evidence tests, built in memory.

Images are the smallest valid files of their format (checked with `file(1)` when written);
Word and Excel files come from python-docx and openpyxl; the hostile ones are derived from them.
"""

import io
import struct
import zipfile
import zlib

from django.core.files.storage import FileSystemStorage

PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
    b"2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj\n"
    b"3 0 obj <</Type /Page /Parent 2 0 R /MediaBox [0 0 200 200]>> endobj\n"
    b"trailer <</Root 1 0 R>>\n"
    b"%%EOF\n"
)
# A 1×1 greyscale JPEG (arithmetic coded), the smallest well-formed one.
JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010101004800480000"
    "ffdb004300030202020202030202020303030304060404040404080606050609080a0a090809090a0c0f0c0a0b0e0b09090d110d0e0f101011100a0c12131210130f101010"
    "ffc9000b080001000101011100"
    "ffcc000600101005"
    "ffda0008010100003f00d2cf20"
    "ffd9"
)
GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
# A 1×1 lossless WebP.
WEBP = bytes.fromhex("524946461a000000574542505650384c0d0000002f00000010071011118888fe0700")
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png() -> bytes:
    """A 1×1 opaque white PNG."""
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", pixels)
        + _png_chunk(b"IEND", b"")
    )


def docx(text: str = "Biên bản họp tổ dân phố") -> bytes:
    """A Word document made by python-docx."""
    from docx import Document

    document = Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx() -> bytes:
    """An Excel workbook made by openpyxl."""
    from openpyxl import Workbook

    book = Workbook()
    book.active["A1"] = "Số vụ việc"
    book.active["B1"] = 3
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def mark_encrypted(data: bytes, name: str) -> bytes:
    """The zip with part `name` flagged as encrypted (bit 0), in its local and central headers."""
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        local = package.getinfo(name).header_offset
    out[local + 6] |= 0x1
    start = 0
    while (start := out.find(b"PK\x01\x02", start)) >= 0:
        length = struct.unpack("<H", out[start + 28 : start + 30])[0]
        if out[start + 46 : start + 46 + length] == name.encode():
            out[start + 8] |= 0x1
        start += 4
    return bytes(out)


def rezip(data: bytes, *, add=None, replace=None) -> bytes:
    """A copy of a zip package with parts added or rewritten (bytes or str values)."""
    add, replace = add or {}, replace or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            body = replace.get(info.filename, source.read(info.filename))
            target.writestr(info.filename, body, zipfile.ZIP_DEFLATED)
        for name, body in add.items():
            target.writestr(name, body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
EXCEL_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def macro_enabled(
    data: bytes, folder: str, main_type: str, macro_type: str, *, part=True, types=True
) -> bytes:
    """A .docm/.xlsm: a vbaProject.bin part and/or the macro-enabled main content type."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        content_types = source.read("[Content_Types].xml").decode()
    if types:
        content_types = content_types.replace(main_type, macro_type)
    return rezip(
        data,
        add={f"{folder}/vbaProject.bin": b"\xcc" * 64} if part else {},
        replace={"[Content_Types].xml": content_types},
    )


def docm(**kwargs) -> bytes:
    return macro_enabled(
        docx(),
        "word",
        WORD_MAIN,
        "application/vnd.ms-word.document.macroEnabled.main+xml",
        **kwargs,
    )


def xlsm(**kwargs) -> bytes:
    return macro_enabled(
        xlsx(), "xl", EXCEL_MAIN, "application/vnd.ms-excel.sheet.macroEnabled.main+xml", **kwargs
    )


def ole2(*streams: str) -> bytes:
    """An OLE2 compound file: its 512-byte header and one directory sector naming `streams`.

    Enough of the layout Office writes for a sniffer that looks at the magic number and the
    UTF-16 directory entry names (a password-protected .docx holds "EncryptionInfo" and
    "EncryptedPackage"; a legacy .doc "WordDocument"; a legacy .xls "Workbook").
    """
    header = bytearray(512)
    header[0:8] = bytes.fromhex("D0CF11E0A1B11AE1")
    header[24:26] = struct.pack("<H", 0x3E)  # minor version
    header[26:28] = struct.pack("<H", 3)  # major version 3: 512-byte sectors
    header[28:30] = b"\xfe\xff"  # little-endian
    header[30:32] = struct.pack("<H", 9)  # sector shift
    header[32:34] = struct.pack("<H", 6)  # mini sector shift
    header[48:52] = struct.pack("<I", 0)  # first directory sector
    directory = bytearray()
    for name in ("Root Entry", *streams):
        entry = bytearray(128)
        encoded = (name + "\0").encode("utf-16-le")
        entry[0 : len(encoded)] = encoded
        entry[64:66] = struct.pack("<H", len(encoded))
        entry[66] = 5 if name == "Root Entry" else 2
        directory += entry
    directory += bytes(512 - len(directory) % 512)
    return bytes(header) + bytes(directory) + b"\x00" * 512


def encrypted_docx() -> bytes:
    return ole2("EncryptionInfo", "EncryptedPackage", "\x06DataSpaces")


def zip_bomb() -> bytes:
    """A .docx carrying 40 MB of zeros that pack into about 40 KB."""
    return rezip(docx(), add={"word/media/image1.png": b"\x00" * (40 * 1024 * 1024)})


def many_parts(count: int) -> bytes:
    return rezip(docx(), add={f"word/media/p{i}.xml": b"<a/>" for i in range(count)})


def evidence_storage_settings(settings, root) -> None:
    """Point the "evidence" storage at `root` (a temporary directory) for one test."""
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }


def stored_files(root) -> list[str]:
    """Every file under `root`, as paths relative to it (sorted)."""
    storage = FileSystemStorage(location=str(root))
    found = []

    def walk(prefix: str) -> None:
        dirs, files = storage.listdir(prefix or ".")
        found.extend(f"{prefix}{name}" for name in files)
        for name in dirs:
            walk(f"{prefix}{name}/")

    if root.exists():
        walk("")
    return sorted(found)
