"""A report as data: the administrative header, the body blocks and the signature block.

Builders fill a `ReportDocument` from the database; renderers turn the same document into Word,
Excel and PDF, so the three files always say the same thing. The layout follows Nghị định
30/2020/NĐ-CP (công tác văn thư): issuing body and national motto side by side, number and
symbol, place and date, title, body, recipients ("Nơi nhận") and the signature block.
"""

import datetime as dt
from dataclasses import dataclass, field

MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_2 = "Độc lập - Tự do - Hạnh phúc"


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    text: str
    bullet: bool = False


@dataclass(frozen=True)
class Table:
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple, ...]
    sheet: str = ""


Block = Heading | Paragraph | Table


@dataclass
class ReportDocument:
    parent_body: str  # "BỘ CÔNG AN"
    issuing_body: str  # "CÔNG AN TỈNH HƯNG YÊN"
    number: str  # "Số: 12/BC-CAT"
    place: str  # "Hưng Yên"
    issue_date: dt.date
    title: str  # "BÁO CÁO"
    subtitle: str  # what the report is about
    blocks: list[Block] = field(default_factory=list)
    recipients: tuple[str, ...] = ()
    signer_title: str = ""
    signer_name: str = ""

    @property
    def place_date(self) -> str:
        """ "Hưng Yên, ngày 15 tháng 11 năm 2026". NĐ 30/2020 (Phụ lục I): a day below 10 and the
        months 1 and 2 are written with a leading zero ("ngày 05 tháng 02")."""
        d = self.issue_date
        month = f"{d.month:02d}" if d.month < 3 else str(d.month)
        return f"{self.place}, ngày {d.day:02d} tháng {month} năm {d.year}"

    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]
