"""Evidence file types are told from the content; names that disagree are refused as spoofed."""

import pytest

from kieumau.assessments import filetypes
from kieumau.assessments.filetypes import (
    ACCEPTED_MESSAGE,
    DOCX_TYPE,
    XLSX_TYPE,
    clean_filename,
    extension_of,
    identify,
)
from kieumau.core.errors import ValidationFailed
from tests.assessments import evidence_samples as samples

ACCEPTED = [
    ("bien-ban.pdf", lambda: samples.PDF, "pdf", "application/pdf", True),
    ("anh.png", samples.png, "png", "image/png", True),
    ("anh.jpg", lambda: samples.JPEG, "jpeg", "image/jpeg", True),
    ("ẢNH HIỆN TRƯỜNG.JPEG", lambda: samples.JPEG, "jpeg", "image/jpeg", True),
    ("anh.gif", lambda: samples.GIF, "gif", "image/gif", True),
    ("anh.webp", lambda: samples.WEBP, "webp", "image/webp", True),
    ("bao-cao.docx", samples.docx, "docx", DOCX_TYPE, False),
    ("so-lieu.xlsx", samples.xlsx, "xlsx", XLSX_TYPE, False),
    ("khong-co-duoi", lambda: samples.PDF, "pdf", "application/pdf", True),
]


@pytest.mark.parametrize(
    "name,build,kind,content_type,inline", ACCEPTED, ids=[row[0] for row in ACCEPTED]
)
def test_accepted_types_are_detected_from_the_content(name, build, kind, content_type, inline):
    found = identify(build(), name)
    assert (found.kind, found.content_type, found.inline) == (kind, content_type, inline)


def refusal(data: bytes, name: str) -> str:
    with pytest.raises(ValidationFailed) as caught:
        identify(data, name)
    (problem,) = caught.value.problems
    assert problem.field == "file"
    return problem.message


SPOOFED = [
    ("PNG named .pdf", samples.png, "ho-so.pdf", "thực chất là ảnh PNG, không khớp với đuôi .pdf"),
    ("EXE named .pdf", lambda: samples.EXE, "ho-so.pdf", "thực chất là tệp chương trình Windows"),
    ("HTML named .pdf", lambda: samples.HTML, "ho-so.pdf", "thực chất là trang web HTML"),
    ("SVG named .png", lambda: samples.SVG, "anh.png", "thực chất là ảnh SVG"),
    ("docx named .xlsx", samples.docx, "so-lieu.xlsx", "thực chất là tài liệu Word .docx"),
    ("PDF named .exe", lambda: samples.PDF, "ho-so.exe", "thực chất là tài liệu PDF"),
    ("PDF named .pdf.exe", lambda: samples.PDF, "ho-so.pdf.exe", "không khớp với đuôi .exe"),
    ("docm named .docx", samples.docm, "bao-cao.docx", "thực chất là tài liệu Word có macro"),
    ("xlsm named .xlsx", samples.xlsm, "so-lieu.xlsx", "thực chất là bảng tính Excel có macro"),
    (
        "macro content type without the part",
        lambda: samples.docm(part=False),
        "bao-cao.docx",
        "có macro",
    ),
    (
        "vbaProject.bin without the content type",
        lambda: samples.xlsm(types=False),
        "so-lieu.xlsx",
        "có macro",
    ),
    ("plain zip named .docx", None, "bao-cao.docx", "thực chất là tệp nén ZIP"),
]


def _plain_zip() -> bytes:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


@pytest.mark.parametrize(
    "build,name,expected", [row[1:] for row in SPOOFED], ids=[row[0] for row in SPOOFED]
)
def test_a_name_that_disagrees_with_the_content_is_refused_as_spoofed(build, name, expected):
    data = build() if build else _plain_zip()
    message = refusal(data, name)
    assert message.startswith(f"tệp '{name}' ")
    assert expected in message


def test_an_encrypted_office_file_is_refused_with_a_clear_message():
    message = refusal(samples.encrypted_docx(), "bao-cao.docx")
    assert "được đặt mật khẩu" in message
    assert "bỏ mật khẩu" in message


@pytest.mark.parametrize(
    "streams,name,expected",
    [
        (("WordDocument", "1Table"), "bao-cao.doc", "lưu lại dạng Tài liệu Word (.docx)"),
        (("Workbook",), "so-lieu.xls", "lưu lại dạng Sổ làm việc Excel (.xlsx)"),
        (("PowerPoint Document",), "trinh-chieu.ppt", ACCEPTED_MESSAGE),
    ],
)
def test_legacy_office_files_are_refused_asking_for_docx_or_xlsx(streams, name, expected):
    assert expected in refusal(samples.ole2(*streams), name)


@pytest.mark.parametrize(
    "data,name",
    [
        (b"Bao cao ket qua", "ghi-chu.txt"),
        (b"II*\x00" + b"\x00" * 16, "scan.tif"),
        (b"\x00\x00\x00\x18ftypheic" + b"\x00" * 16, "IMG_0001.HEIC"),
        (b"7z\xbc\xaf\x27\x1c\x00\x04", "ho-so.7z"),
    ],
)
def test_anything_else_is_refused_listing_what_is_accepted(data, name):
    message = refusal(data, name)
    assert message.endswith(
        "định dạng không được chấp nhận: chỉ nhận PDF, ảnh PNG/JPEG/GIF/WebP, Word .docx, "
        "Excel .xlsx"
    )


def test_an_empty_file_is_refused():
    assert refusal(b"", "trong.pdf") == "tệp 'trong.pdf' rỗng"


def test_a_damaged_zip_is_refused():
    assert "bị hỏng" in refusal(b"PK\x03\x04 not a zip at all", "bao-cao.docx")


class TestZipBombs:
    def test_an_abnormal_inflation_ratio_is_refused(self):
        assert "bom nén" in refusal(samples.zip_bomb(), "bao-cao.docx")

    def test_too_many_parts_are_refused(self, monkeypatch):
        monkeypatch.setattr(filetypes, "MAX_ZIP_ENTRIES", 50)
        assert "vượt giới hạn 50" in refusal(samples.many_parts(60), "bao-cao.docx")
        assert identify(samples.many_parts(10), "bao-cao.docx").kind == "docx"

    def test_the_declared_total_size_is_bounded(self, monkeypatch):
        monkeypatch.setattr(filetypes, "MAX_ZIP_UNCOMPRESSED", 1024)
        assert "bom nén" in refusal(samples.docx(), "bao-cao.docx")

    def test_encrypted_zip_entries_are_refused(self):
        data = samples.rezip(samples.docx(), add={"word/secret.xml": b"<a/>"})
        data = samples.mark_encrypted(data, "word/secret.xml")
        assert "được đặt mật khẩu" in refusal(data, "bao-cao.docx")

    def test_nothing_is_inflated_but_the_content_types_part(self, monkeypatch):
        """The bomb check reads the zip directory only: opening any other part would fail."""
        import zipfile

        document, bomb = samples.docx(), samples.zip_bomb()
        real_open = zipfile.ZipFile.open
        opened = []

        def spy(self, name, *args, **kwargs):
            opened.append(getattr(name, "filename", name))
            return real_open(self, name, *args, **kwargs)

        monkeypatch.setattr(zipfile.ZipFile, "open", spy)
        identify(document, "bao-cao.docx")
        assert opened == ["[Content_Types].xml"]
        opened.clear()
        refusal(bomb, "bao-cao.docx")
        assert opened == []


@pytest.mark.parametrize(
    "raw,clean",
    [
        ("C:\\fakepath\\Báo cáo.pdf", "Báo cáo.pdf"),
        ("../../../etc/passwd.pdf", "passwd.pdf"),
        ("..", ""),
        ("bien-ban\x00.pdf", "bien-ban.pdf"),
        ("anh\u202egpj.exe", "anhgpj.exe"),
        ("ho so .pdf. . ", "ho so .pdf"),
        ("Bie\u0302n ba\u0309n.pdf", "Biên bản.pdf"),
        ("x" * 300 + ".docx", "x" * 250 + ".docx"),
    ],
)
def test_file_names_are_cleaned_for_display(raw, clean):
    assert clean_filename(raw) == clean


@pytest.mark.parametrize(
    "name,ext", [("a.PDF", ".pdf"), ("a.tar.gz", ".gz"), (".pdf", ""), ("scan", ""), ("a.", "")]
)
def test_extension_of(name, ext):
    assert extension_of(clean_filename(name)) == ext


def test_the_right_to_left_trick_cannot_hide_a_program():
    """ "anh\u202egpj.exe" displays as "anhexe.jpg"; it is judged by what it really ends with."""
    message = refusal(samples.JPEG, "anh\u202egpj.exe")
    assert "không khớp với đuôi .exe" in message
    assert "\u202e" not in message
