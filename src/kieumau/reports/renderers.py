"""One `ReportDocument` → Word, Excel and PDF bytes, each reproducible byte for byte.

Word follows Nghị định 30/2020/NĐ-CP: A4, margins 20–25 / 15–20 / 30–35 / 15–20 mm, Times New
Roman 13–14 pt, a two-column header (issuing body | national motto), number and symbol beside
the place-and-date line, title, body, then "Nơi nhận" beside the signature block.

Reproducible: Office files are ZIP archives whose entries carry the time they were written and
whose docProps/core.xml carries created/modified times; both are fixed to the report's issue
date, and the archive is rewritten with fixed entry times. The PDF's creation date is fixed the
same way (fpdf2 derives the document ID from the content). Same document in → same bytes out.
"""

import datetime as dt
import io
import logging
import re
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import _Cell
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from kieumau.reports.document import MOTTO, MOTTO_2, Heading, Paragraph, ReportDocument, Table

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "Times New Roman"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _fixed_moment(doc: ReportDocument) -> dt.datetime:
    return dt.datetime(doc.issue_date.year, doc.issue_date.month, doc.issue_date.day, 8, 0, 0)


def normalise_zip(data: bytes, moment: dt.datetime) -> bytes:
    """The same archive with fixed entry times and fixed core.xml created/modified times."""
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = content.decode("utf-8")
                text = re.sub(
                    r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                    lambda m: f"{m.group(1)}{stamp}{m.group(3)}",
                    text,
                )
                content = text.encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, content)
    return out.getvalue()


# -- Word ------------------------------------------------------------------------------------
def _run(paragraph, text: str, *, bold=False, italic=False, size=14, underline=False):
    run = paragraph.add_run(text)
    run.bold, run.italic, run.underline = bold, italic, underline
    run.font.size = Pt(size)
    run.font.name = FONT
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    return run


def _cell_lines(cell, lines: list[tuple[str, dict]]) -> None:
    cell.paragraphs[0].text = ""
    for i, (text, style) in enumerate(lines):
        p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_after = Pt(0)
        _run(p, text, **style)


def docx_bytes(doc: ReportDocument) -> bytes:
    """The report as a Word document in the administrative format of NĐ 30/2020."""
    word = Document()
    section = word.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = word.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)

    # Table cells take a 12 pt Times New Roman paragraph style (set once, not on every run).
    cell_style = word.styles.add_style("Bang", WD_STYLE_TYPE.PARAGRAPH)
    cell_style.base_style = normal
    cell_style.font.size = Pt(12)
    cell_style.paragraph_format.space_after = Pt(0)
    cell_style_id = cell_style.style_id

    header = word.add_table(rows=2, cols=2)
    header.alignment = WD_TABLE_ALIGNMENT.CENTER
    _cell_lines(
        header.cell(0, 0),
        [(doc.parent_body, {"size": 13}), (doc.issuing_body, {"size": 13, "bold": True})],
    )
    _cell_lines(
        header.cell(0, 1),
        [
            (MOTTO, {"size": 13, "bold": True}),
            (MOTTO_2, {"size": 14, "bold": True, "underline": True}),
        ],
    )
    _cell_lines(header.cell(1, 0), [(doc.number, {"size": 13})])
    _cell_lines(header.cell(1, 1), [(doc.place_date, {"size": 14, "italic": True})])

    title = word.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_before = Pt(12)
    _run(title, doc.title, bold=True)
    subtitle = word.add_paragraph()
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(subtitle, doc.subtitle, bold=True)

    for block in doc.blocks:
        if isinstance(block, Heading):
            p = word.add_paragraph()
            p.paragraph_format.first_line_indent = Mm(10)
            _run(p, block.text, bold=True)
        elif isinstance(block, Paragraph):
            p = word.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            p.paragraph_format.first_line_indent = Mm(10)
            p.paragraph_format.space_after = Pt(6)
            _run(p, ("- " if block.bullet else "") + block.text)
        elif isinstance(block, Table):
            caption = word.add_paragraph()
            _run(caption, block.title, italic=True, size=13)
            table = word.add_table(rows=1, cols=len(block.header))
            table.style = "Table Grid"
            for i, head in enumerate(block.header):
                _cell_lines(table.rows[0].cells[i], [(head, {"size": 12, "bold": True})])
            for row in block.rows or [("Không có",) + ("",) * (len(block.header) - 1)]:
                # Cells of the new row only: `row.cells` recomputes the whole table's grid on
                # every call (quadratic in the number of rows).
                tr = table.add_row()._tr
                for tc, value in zip(tr.tc_lst, row, strict=False):
                    paragraph = _Cell(tc, table).paragraphs[0]
                    paragraph._p.style = cell_style_id  # the id, not a lookup per cell
                    paragraph.add_run("" if value is None else str(value))

    word.add_paragraph()
    footer = word.add_table(rows=1, cols=2)
    left, right = footer.cell(0, 0), footer.cell(0, 1)
    left.paragraphs[0].text = ""
    _run(left.paragraphs[0], "Nơi nhận:", bold=True, italic=True, size=12)
    for line in doc.recipients:
        _run(left.add_paragraph(), line, size=11)
    _cell_lines(
        right,
        [
            (doc.signer_title, {"size": 14, "bold": True}),
            ("(Ký, ghi rõ họ tên, đóng dấu)", {"size": 13, "italic": True}),
            ("", {}),
            ("", {}),
            (doc.signer_name, {"size": 14, "bold": True}),
        ],
    )
    props = word.core_properties
    moment = _fixed_moment(doc)
    props.author = doc.issuing_body
    props.last_modified_by = doc.issuing_body
    props.title = f"{doc.title} {doc.subtitle}"
    props.created = moment
    props.modified = moment
    props.revision = 1
    out = io.BytesIO()
    word.save(out)
    return normalise_zip(out.getvalue(), moment)


# -- Excel -----------------------------------------------------------------------------------
def xlsx_bytes(doc: ReportDocument) -> bytes:
    """Every table of the report, one sheet each, with the report's header lines above."""
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for index, table in enumerate(doc.tables(), 1):
        name = (table.sheet or f"Bảng {index}")[:28]
        while name in used:
            name = f"{name[:25]}-{index}"
        used.add(name)
        sheet = book.create_sheet(name)
        sheet.append([doc.issuing_body])
        sheet.append([f"{doc.title} {doc.subtitle}"])
        sheet.append([table.title])
        sheet.append(list(table.header))
        for cell in sheet[4]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in table.rows:
            sheet.append(list(row))
        for column, width in zip("ABCDEFGH", (40, 18, 18, 18, 18, 18, 18, 18), strict=False):
            sheet.column_dimensions[column].width = width
    if not book.sheetnames:
        book.create_sheet("Báo cáo").append([doc.subtitle])
    moment = _fixed_moment(doc)
    book.properties.creator = doc.issuing_body
    book.properties.lastModifiedBy = doc.issuing_body
    book.properties.created = moment
    book.properties.modified = moment
    out = io.BytesIO()
    book.save(out)
    return normalise_zip(out.getvalue(), moment)


# -- PDF -------------------------------------------------------------------------------------
def pdf_bytes(doc: ReportDocument) -> bytes:
    """The report as PDF with the same header, body, tables and signature block (fpdf2 with the
    vendored DejaVu Serif: Times New Roman itself cannot be shipped, see docs/decisions)."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    logging.getLogger("fontTools").setLevel(logging.WARNING)  # its subsetter logs every glyph

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(30, 20, 15)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_font("Serif", "", str(FONT_DIR / "DejaVuSerif.ttf"))
    pdf.add_font("Serif", "B", str(FONT_DIR / "DejaVuSerif-Bold.ttf"))
    pdf.add_font("Serif", "I", str(FONT_DIR / "DejaVuSerif-Italic.ttf"))
    pdf.set_creation_date(_fixed_moment(doc).replace(tzinfo=dt.UTC))
    pdf.set_creator("kieumau")
    pdf.set_producer("kieumau")
    pdf.set_author(doc.issuing_body)
    pdf.set_title(f"{doc.title} {doc.subtitle}")
    pdf.add_page()
    width = pdf.epw
    half = width * 0.45
    top = pdf.get_y()
    pdf.set_font("Serif", "", 10)
    pdf.multi_cell(half, 5, doc.parent_body, align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font("Serif", "B", 10)
    pdf.multi_cell(half, 5, doc.issuing_body, align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font("Serif", "", 10)
    pdf.multi_cell(half, 6, doc.number, align="C", new_x="LEFT", new_y="NEXT")
    left_end = pdf.get_y()
    pdf.set_xy(pdf.l_margin + half, top)
    pdf.set_font("Serif", "B", 10)
    pdf.multi_cell(width - half, 5, MOTTO, align="C", new_x="LEFT", new_y="NEXT")
    pdf.multi_cell(width - half, 5, MOTTO_2, align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font("Serif", "I", 10)
    pdf.multi_cell(width - half, 6, doc.place_date, align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_xy(pdf.l_margin, max(left_end, pdf.get_y()) + 6)
    pdf.set_font("Serif", "B", 13)
    pdf.multi_cell(width, 7, doc.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(width, 7, doc.subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for block in doc.blocks:
        if isinstance(block, Heading):
            pdf.set_font("Serif", "B", 12)
            pdf.multi_cell(width, 6, block.text, new_x="LMARGIN", new_y="NEXT")
        elif isinstance(block, Paragraph):
            pdf.set_font("Serif", "", 12)
            text = ("- " if block.bullet else "") + block.text
            pdf.multi_cell(width, 6, text, new_x="LMARGIN", new_y="NEXT")
        elif isinstance(block, Table):
            pdf.set_font("Serif", "I", 11)
            pdf.multi_cell(width, 6, block.title, new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("Serif", "", 9)
            rows = [tuple(str(v) if v is not None else "" for v in r) for r in block.rows]
            with pdf.table(
                headings_style=FontFace(emphasis="BOLD"), line_height=5, first_row_as_headings=True
            ) as table:
                head = table.row()
                for cell in block.header:
                    head.cell(cell)
                for row in rows or [("Không có",) + ("",) * (len(block.header) - 1)]:
                    line = table.row()
                    for cell in row:
                        line.cell(cell)
        pdf.ln(2)
    pdf.ln(4)
    y = pdf.get_y()
    pdf.set_font("Serif", "B", 10)
    pdf.multi_cell(half, 5, "Nơi nhận:", new_x="LEFT", new_y="NEXT")
    pdf.set_font("Serif", "", 9)
    for line in doc.recipients:
        pdf.multi_cell(half, 5, line, new_x="LEFT", new_y="NEXT")
    pdf.set_xy(pdf.l_margin + half, y)
    pdf.set_font("Serif", "B", 11)
    pdf.multi_cell(width - half, 6, doc.signer_title, align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font("Serif", "I", 10)
    pdf.multi_cell(
        width - half, 6, "(Ký, ghi rõ họ tên, đóng dấu)", align="C", new_x="LEFT", new_y="NEXT"
    )
    pdf.set_xy(pdf.l_margin + half, pdf.get_y() + 18)
    pdf.set_font("Serif", "B", 11)
    pdf.multi_cell(width - half, 6, doc.signer_name, align="C", new_x="LEFT", new_y="NEXT")
    return bytes(pdf.output())


RENDERERS = {"docx": docx_bytes, "xlsx": xlsx_bytes, "pdf": pdf_bytes}
