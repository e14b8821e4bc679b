"""The dashboard's tables as an Excel workbook: one sheet per panel (or one panel only)."""

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from kieumau.dashboards.selectors import Dashboard

STATUS_VI = {
    "met": "Đạt",
    "not_met": "Không đạt",
    "missing_data": "Thiếu số liệu",
    "not_applicable": "Không áp dụng",
    "": "",
}


def panels(board: Dashboard) -> dict[str, tuple[list[str], list[list]]]:
    """{panel name: (header, rows)} — exactly the tables shown under each chart."""
    data = board.as_dict()
    out: dict[str, tuple[list[str], list[list]]] = {
        "children": (
            [
                "Mã",
                "Đơn vị",
                "Số đơn vị",
                "Đã đánh giá",
                "Đạt 100% tiêu chí",
                "Được công nhận",
                "Tỷ lệ kiểu mẫu (%)",
                "Chỉ tiêu (%)",
            ],
            [
                [
                    c["code"],
                    c["name"],
                    c["units"],
                    c["evaluated"],
                    c["model_standard"],
                    c["recognised"],
                    c["share"],
                    c["target"],
                ]
                for c in data["children"]
            ],
        ),
        "distribution": (
            ["Số tiêu chí đạt", "Số đơn vị"],
            [[d["label"], d["units"]] for d in data["distribution"]],
        ),
        "criteria": (
            ["Mã", "Nhóm", "Tiêu chí", "Số đơn vị đạt", "Đã đánh giá", "Tỷ lệ (%)"],
            [
                [c["code"], c["group"], c["name"], c["met"], c["evaluated"], c["rate"]]
                for c in data["criterion_rates"]
            ],
        ),
        "groups": (
            ["Nhóm", "Tên nhóm", "Số đơn vị đạt cả nhóm", "Đã đánh giá", "Tỷ lệ (%)"],
            [
                [g["code"], g["name"], g["met"], g["evaluated"], g["rate"]]
                for g in data["group_rates"]
            ],
        ),
        "timeliness": (
            ["Kỳ", "Đúng hạn", "Muộn", "Chưa nộp", "Phải nộp", "Tỷ lệ đúng hạn (%)"],
            [
                [t["period"], t["on_time"], t["late"], t["missing"], t["expected"], t["rate"]]
                for t in data["timeliness"]
            ],
        ),
        "trends": (
            [
                "Năm",
                "Đã đánh giá",
                "Đạt 100% tiêu chí",
                "Bình quân số tiêu chí đạt",
                "Được công nhận",
            ],
            [
                [t["year"], t["evaluated"], t["model_standard"], t["average_met"], t["recognised"]]
                for t in data["trends"]
            ],
        ),
    }
    if data["satisfaction"] is not None:
        out["satisfaction"] = (
            ["Mã", "Đơn vị", "Số phiếu khảo sát", "Số người hài lòng", "Tỷ lệ hài lòng (%)"],
            [
                [r["code"], r["name"], r["responses"], r["satisfied"], r["rate"]]
                for r in data["satisfaction"]
            ],
        )
    if data["overdue"] is not None:
        out["overdue"] = (
            ["Nhiệm vụ", "Đơn vị", "Cơ quan", "Hạn", "Số ngày quá hạn", "Tiến độ (%)"],
            [
                [t["title"], t["unit"], t["agency"], t["due_date"], t["days_late"], t["percent"]]
                for t in data["overdue"]["rows"]
            ],
        )
    if data["heatmap"]:
        codes = [c["code"] for c in data["criteria"]]
        out["heatmap"] = (
            ["Mã", "Đơn vị", "Số tiêu chí đạt", *codes],
            [
                [r["code"], r["name"], r["met"], *[STATUS_VI.get(s, s) for s in r["statuses"]]]
                for r in data["heatmap"]
            ],
        )
    return out


PANEL_TITLES = {
    "children": "Đơn vị",
    "distribution": "Phân bố tiêu chí đạt",
    "criteria": "Tỷ lệ đạt theo tiêu chí",
    "groups": "Tỷ lệ đạt theo nhóm",
    "heatmap": "Bản đồ nhiệt",
    "timeliness": "Báo cáo đúng hạn",
    "trends": "Xu hướng",
    "satisfaction": "Sự hài lòng",
    "overdue": "Nhiệm vụ quá hạn",
}


def workbook_bytes(board: Dashboard, panel: str | None = None) -> bytes:
    """The workbook of every panel's table (or only `panel`), with a title line per sheet."""
    tables = panels(board)
    if panel:
        tables = {panel: tables[panel]} if panel in tables else {}
    book = Workbook()
    book.remove(book.active)
    for name, (header, rows) in tables.items():
        sheet = book.create_sheet(PANEL_TITLES.get(name, name)[:31])
        sheet.append([f"{board.root.name} — năm {board.year} — cơ cấu ngày {board.as_of:%d/%m/%Y}"])
        sheet.append(header)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
    if not book.sheetnames:
        book.create_sheet("Trống")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
