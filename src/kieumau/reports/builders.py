"""From data to report: the four official reports as `ReportDocument`s.

Every figure comes from stored data (evaluation results, assessment decisions, report
submissions, indicator values) read through the dashboards' selectors or here, for the unit's
subtree in force at the end of the period. Nothing depends on the clock or on who generates the
report: the issue date and the number are parameters, the reader is the system with national
scope (the service checked the author's scope before queuing), so the same parameters over the
same data give the same document — and the renderers the same bytes.
"""

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

from kieumau.assessments.choices import CaseStatus
from kieumau.assessments.models import AssessmentCase
from kieumau.assessments.selectors import sort_key
from kieumau.core.actors import SystemActor
from kieumau.dashboards import selectors as dash
from kieumau.datavalues.models import DataSet, DataSetIndicator, DataValue, Submission
from kieumau.engine import Period
from kieumau.evaluation.models import EvaluationResult
from kieumau.orgunits.choices import Kind, Level
from kieumau.orgunits.models import OrgUnitVersion
from kieumau.reports.choices import ReportKind
from kieumau.reports.document import Heading, Paragraph, ReportDocument, Table

READER = SystemActor("reports")
"""Reports read as the system: the content depends on the parameters only, never on the reader."""

Progress = Callable[[int], None]


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}".replace(".", ",") if whole else "0"


def _number(n) -> str:
    """Vietnamese thousands separator (1.234)."""
    if isinstance(n, float):
        text = f"{n:,.1f}"
        return text.replace(",", " ").replace(".", ",").replace(" ", ".")
    return f"{n:,}".replace(",", ".")


# -- header ----------------------------------------------------------------------------------
def _chain(unit_id: int, day: dt.date) -> list[OrgUnitVersion]:
    """The unit's version on `day` and those above it, unit first (a few queries, ≤ 4)."""
    out = []
    current = unit_id
    for _ in range(5):
        version = OrgUnitVersion.objects.active_on(day).filter(unit_id=current).first()
        if version is None:
            break
        out.append(version)
        if version.parent_id is None:
            break
        current = version.parent_id
    return out


def _bare_name(name: str) -> str:
    for prefix in ("Tỉnh ", "Thành phố ", "Thị xã ", "Quận ", "Huyện "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def header_for(unit_version: OrgUnitVersion, chain: list[OrgUnitVersion]) -> dict:
    """Issuing bodies, place and document symbol for a report of this unit (NĐ 30/2020)."""
    if unit_version.level == Level.NATION:
        return {
            "parent_body": "BỘ CÔNG AN",
            "issuing_body": "CỤC XÂY DỰNG PHONG TRÀO BẢO VỆ AN NINH TỔ QUỐC",
            "place": "Hà Nội",
            "symbol": "BC-V05",
        }
    province = next((v for v in chain if v.level == Level.PROVINCE), unit_version)
    place = _bare_name(province.name)
    if unit_version.level == Level.PROVINCE:
        city = unit_version.kind == Kind.CENTRAL_CITY
        return {
            "parent_body": "BỘ CÔNG AN",
            "issuing_body": f"CÔNG AN {unit_version.name.upper()}",
            "place": place,
            "symbol": "BC-CATP" if city else "BC-CAT",
        }
    return {
        "parent_body": f"CÔNG AN {province.name.upper()}",
        "issuing_body": f"CÔNG AN {unit_version.name.upper()}",
        "place": place,
        "symbol": "BC-CA",
    }


def _document(params: dict, subject: str, period_label: str) -> tuple[ReportDocument, dict]:
    unit_version = OrgUnitVersion.objects.active_on(params["_as_of"]).get(unit__code=params["unit"])
    chain = _chain(unit_version.unit_id, params["_as_of"])
    head = header_for(unit_version, chain)
    number = str(params.get("number") or "").strip()
    doc = ReportDocument(
        parent_body=head["parent_body"],
        issuing_body=head["issuing_body"],
        number=f"Số: {number or '       '}/{head['symbol']}",
        place=head["place"],
        issue_date=dt.date.fromisoformat(params["date"]),
        title="BÁO CÁO",
        subtitle=f"{subject} {period_label}".strip(),
        recipients=_recipients(unit_version),
        signer_title=str(params.get("signer_title") or "THỦ TRƯỞNG ĐƠN VỊ"),
        signer_name=str(params.get("signer_name") or ""),
    )
    return doc, {"version": unit_version, "name": unit_version.name}


def _recipients(unit_version: OrgUnitVersion) -> tuple[str, ...]:
    if unit_version.level == Level.NATION:
        return (
            "- Đồng chí Bộ trưởng (để báo cáo);",
            "- Các đồng chí Thứ trưởng;",
            "- Lưu: VT, V05.",
        )
    if unit_version.level == Level.PROVINCE:
        return (
            "- Bộ Công an (qua Cục V05);",
            "- Thường trực Tỉnh ủy;",
            "- UBND tỉnh;",
            "- Lưu: VT.",
        )
    return ("- Công an tỉnh (để báo cáo);", "- Thường trực cấp ủy, UBND cùng cấp;", "- Lưu: VT.")


# -- shared sections -------------------------------------------------------------------------
def _evaluation_section(doc: ReportDocument, board: dash.Dashboard, numeral: str) -> None:
    """Results against the criteria: totals, distribution, groups, criteria, units short."""
    t = board.totals
    doc.blocks.append(Heading(f"{numeral}. KẾT QUẢ ĐÁNH GIÁ THEO BỘ TIÊU CHÍ NĂM {board.year}"))
    if not board.version_label or not t or not t.evaluated:
        doc.blocks.append(
            Paragraph(f"Chưa có kết quả đánh giá theo Bộ tiêu chí năm {board.year} được lưu.")
        )
        return
    doc.blocks.append(
        Paragraph(
            f"Theo {board.version_label}, có {_number(t.evaluated)}/{_number(t.units)} đơn vị "
            f"đã được đánh giá; {_number(t.model_standard)} đơn vị đạt toàn bộ tiêu chí; "
            f"{_number(t.recognised)} đơn vị đã được Bộ trưởng công nhận điển hình, kiểu mẫu "
            f"(tỷ lệ {_pct(t.recognised, t.units)}%)."
        )
    )
    doc.blocks.append(
        Table(
            "Phân bố đơn vị theo số tiêu chí đạt",
            ("Số tiêu chí đạt", "Số đơn vị"),
            tuple((d["label"], d["units"]) for d in board.distribution),
            sheet="Phân bố",
        )
    )
    doc.blocks.append(
        Table(
            "Kết quả theo nhóm tiêu chí",
            ("Nhóm", "Tên nhóm tiêu chí", "Số đơn vị đạt", "Tỷ lệ (%)"),
            tuple(
                (g["code"], g["name"], g["met"], _pct(g["met"], g["evaluated"]))
                for g in board.group_rates
            ),
            sheet="Nhóm tiêu chí",
        )
    )
    doc.blocks.append(
        Table(
            "Kết quả theo từng tiêu chí",
            ("Mã", "Tiêu chí", "Số đơn vị đạt", "Tỷ lệ (%)"),
            tuple(
                (c["code"], c["name"], c["met"], _pct(c["met"], c["evaluated"]))
                for c in board.criterion_rates
            ),
            sheet="Tiêu chí",
        )
    )


def _short_units_table(board: dash.Dashboard) -> Table:
    codes = [c["code"] for c in board.criteria]
    rows = []
    for r in board.heatmap:
        if r["met"] is None or r["met"] == r["total"]:
            continue
        missing = [codes[i] for i, s in enumerate(r["statuses"]) if s != "met" and s]
        rows.append((r["name"], f"{r['met']}/{r['total']}", ", ".join(missing)))
    return Table(
        "Đơn vị chưa đạt đủ tiêu chí",
        ("Đơn vị", "Số tiêu chí đạt", "Tiêu chí chưa đạt"),
        tuple(rows),
        sheet="Chưa đạt",
    )


def _recognised_table(
    unit_ids: list[int], year: int, names: dict[int, str], decided_by: dt.date
) -> Table:
    rows = []
    for uid, number, date in (
        AssessmentCase.objects.filter(
            unit_id__in=unit_ids, recognised_year=year, status=CaseStatus.RECOGNISED
        )
        .filter(decision_date__lte=decided_by)
        .order_by()
        .values_list("unit_id", "decision_number", "decision_date")
    ):
        rows.append((names.get(uid, ""), number, date.strftime("%d/%m/%Y") if date else ""))
    rows.sort(key=lambda r: sort_key(r[0]))
    return Table(
        f"Đơn vị được công nhận điển hình, kiểu mẫu năm {year}",
        ("Đơn vị", "Số quyết định", "Ngày quyết định"),
        tuple(rows),
        sheet="Được công nhận",
    )


def timeliness(unit_ids: list[int], names: dict[int, str], periods: list[Period], day: dt.date):
    """Per month: monthly reports on time, late, missing by `day`; and the units missing one.

    On time = submitted on or before the due date fixed at submission (a draft is missing).
    """
    form = DataSet.objects.filter(code=dash.MONTHLY_FORM).first()
    rows = {p.code: [0, 0] for p in periods}
    seen: dict[str, set[int]] = {p.code: set() for p in periods}
    if form is not None:
        for uid, period, submitted_at, due in (
            Submission.objects.filter(
                dataset=form,
                period__in=list(rows),
                unit_id__in=unit_ids,
                submitted_at__isnull=False,
            )
            .exclude(status="draft")
            .values_list("unit_id", "period", "submitted_at", "due_date")
        ):
            submitted_day = timezone.localdate(submitted_at)
            if submitted_day > day:
                continue
            on_time = due is None or submitted_day <= due
            rows[period][0 if on_time else 1] += 1
            seen[period].add(uid)
    table = Table(
        "Tình hình báo cáo tháng (hạn ngày 18 tháng sau)",
        ("Kỳ", "Đúng hạn", "Muộn", "Chưa nộp", "Tỷ lệ đúng hạn (%)"),
        tuple(
            (
                p.label_vi,
                rows[p.code][0],
                rows[p.code][1],
                len(unit_ids) - len(seen[p.code]),
                _pct(rows[p.code][0], len(unit_ids)),
            )
            for p in periods
        ),
        sheet="Báo cáo định kỳ",
    )
    last = periods[-1].code if periods else None
    missing = sorted((names[u] for u in unit_ids if last and u not in seen[last]), key=sort_key)
    return table, missing


def indicator_sums(unit_ids: list[int], periods: list[Period]) -> Table:
    """Totals over the units and periods of the monthly form's summed numeric indicators."""
    items = list(
        DataSetIndicator.objects.filter(
            dataset__code=dash.MONTHLY_FORM, indicator__aggregation="sum"
        )
        .select_related("indicator")
        .order_by("order", "id")
    )
    totals: dict[int, float] = {}
    for indicator_id, value in DataValue.objects.filter(
        unit_id__in=unit_ids,
        period__in=[p.code for p in periods],
        indicator_id__in=[i.indicator_id for i in items],
    ).values_list("indicator_id", "value"):
        if isinstance(value, int | float) and not isinstance(value, bool):
            totals[indicator_id] = totals.get(indicator_id, 0) + value
    rows = []
    for item in items:
        total = totals.get(item.indicator_id, 0)
        total = int(total) if float(total).is_integer() else round(total, 2)
        rows.append((item.indicator.name_vi, _number(total), item.indicator.unit_vi))
    return Table(
        "Số liệu tổng hợp từ báo cáo tháng",
        ("Chỉ tiêu", "Tổng số", "Đơn vị tính"),
        tuple(rows),
        sheet="Số liệu",
    )


def _units(board: dash.Dashboard, as_of: dt.date) -> tuple[list[int], dict[int, str]]:
    root = dash.resolve_root(READER, board.root.code, as_of)
    units, _ = dash.units_in(READER, root, as_of)
    return [u[0] for u in units], {u[0]: u[2] for u in units}


def _board(params: dict, year: int) -> dash.Dashboard:
    """The dashboard figures of the report's unit: structure at the end of the period,
    recognitions decided by the issue date."""
    return dash.dashboard(
        READER,
        under=params["unit"],
        year=year,
        as_of=params["_as_of"],
        decided_by=dt.date.fromisoformat(params["date"]),
    )


def _evaluation_year(params: dict, year: int) -> int:
    """The year whose stored evaluation results a progress report shows: `year` if it has
    results, otherwise the year before (results of a year are stored once its data is in)."""
    if EvaluationResult.objects.filter(period=str(year)).exists():
        return year
    return year - 1


# -- the four reports ------------------------------------------------------------------------
def build_monthly(params: dict, progress: Progress) -> ReportDocument:
    """(a) The monthly progress report of a city or province (due on the 18th)."""
    year, month = int(params["year"]), int(params["month"])
    period = Period.of_month(year, month)
    params["_as_of"] = period.end
    doc, ctx = _document(
        params, "Tiến độ xây dựng Công an xã, phường điển hình, kiểu mẫu", f"tháng {month}/{year}"
    )
    progress(20)
    board = _board(params, _evaluation_year(params, year))
    unit_ids, names = _units(board, period.end)
    progress(50)
    table, missing = timeliness(unit_ids, names, [period], doc.issue_date)
    doc.blocks += [
        Paragraph(
            f"Thực hiện chế độ báo cáo định kỳ, {ctx['name']} báo cáo tiến độ xây dựng Công an "
            f"xã, phường điển hình, kiểu mẫu tháng {month}/{year} như sau:"
        ),
        Heading("I. TÌNH HÌNH BÁO CÁO CỦA CÁC ĐƠN VỊ"),
        Paragraph(
            f"Tổng số {_number(len(unit_ids))} đơn vị cấp xã phải báo cáo; "
            f"{_number(len(unit_ids) - len(missing))} đơn vị đã báo cáo; "
            f"{_number(len(missing))} đơn vị chưa báo cáo."
        ),
        table,
    ]
    if missing:
        doc.blocks.append(Paragraph("Đơn vị chưa báo cáo: " + ", ".join(missing) + "."))
    doc.blocks += [Heading("II. SỐ LIỆU CHỦ YẾU"), indicator_sums(unit_ids, [period])]
    progress(70)
    _evaluation_section(doc, board, "III")
    if board.level != "nation":
        doc.blocks.append(_short_units_table(board))
    doc.blocks.append(Heading("IV. ĐỀ XUẤT, KIẾN NGHỊ"))
    doc.blocks.append(
        Paragraph(
            "Đề nghị các đơn vị chưa báo cáo hoàn thành báo cáo trước ngày 18 hằng tháng; tập "
            "trung khắc phục các tiêu chí chưa đạt nêu trên."
        )
    )
    return doc


def build_semiannual(params: dict, progress: Progress) -> ReportDocument:
    """(b) The six-month review (sơ kết 6 tháng)."""
    year, half = int(params["year"]), int(params["half"])
    months = [Period.of_month(year, m) for m in range(6 * half - 5, 6 * half + 1)]
    params["_as_of"] = months[-1].end
    label = f"{'đầu' if half == 1 else 'cuối'} năm {year}"
    doc, ctx = _document(
        params, "Sơ kết 6 tháng xây dựng Công an xã, phường điển hình, kiểu mẫu", label
    )
    progress(20)
    board = _board(params, _evaluation_year(params, year))
    unit_ids, names = _units(board, months[-1].end)
    progress(50)
    table, _ = timeliness(unit_ids, names, months, doc.issue_date)
    doc.blocks += [
        Paragraph(f"{ctx['name']} báo cáo sơ kết 6 tháng {label} như sau:"),
        Heading("I. CÔNG TÁC CHỈ ĐẠO, BÁO CÁO"),
        table,
        Heading("II. SỐ LIỆU CHỦ YẾU 6 THÁNG"),
        indicator_sums(unit_ids, months),
    ]
    progress(70)
    _evaluation_section(doc, board, "III")
    doc.blocks.append(_recognised_table(unit_ids, board.year, names, doc.issue_date))
    doc.blocks.append(Heading("IV. PHƯƠNG HƯỚNG 6 THÁNG TIẾP THEO"))
    doc.blocks.append(
        Paragraph(
            "Tiếp tục chỉ đạo các đơn vị khắc phục các tiêu chí chưa đạt, bảo đảm chế độ báo "
            "cáo đúng hạn và đề nghị công nhận các đơn vị đủ điều kiện."
        )
    )
    return doc


def build_annual(params: dict, progress: Progress) -> ReportDocument:
    """(c) The annual report to the Party committee, People's Committee and Ministry."""
    year = int(params["year"])
    params["_as_of"] = dt.date(year, 12, 31)
    doc, ctx = _document(
        params, "Kết quả xây dựng Công an xã, phường điển hình, kiểu mẫu", f"năm {year}"
    )
    progress(20)
    board = _board(params, year)
    unit_ids, names = _units(board, params["_as_of"])
    progress(50)
    months = [Period.of_month(year, m) for m in range(1, 13)]
    table, _ = timeliness(unit_ids, names, months, doc.issue_date)
    doc.blocks.append(Paragraph(f"{ctx['name']} báo cáo kết quả thực hiện năm {year} như sau:"))
    _evaluation_section(doc, board, "I")
    if board.level != "nation":
        doc.blocks.append(_short_units_table(board))
    else:
        doc.blocks.append(
            Table(
                "Kết quả theo tỉnh, thành phố",
                ("Tỉnh, thành phố", "Số đơn vị", "Đạt đủ tiêu chí", "Được công nhận", "Tỷ lệ (%)"),
                tuple(
                    (c.name, c.units, c.model_standard, c.recognised, _pct(c.recognised, c.units))
                    for c in board.children
                ),
                sheet="Tỉnh, thành phố",
            )
        )
    progress(70)
    doc.blocks.append(Heading("II. CÔNG NHẬN ĐƠN VỊ ĐIỂN HÌNH, KIỂU MẪU"))
    doc.blocks.append(_recognised_table(unit_ids, year, names, doc.issue_date))
    doc.blocks.append(Heading("III. CHẾ ĐỘ BÁO CÁO ĐỊNH KỲ"))
    doc.blocks.append(table)
    doc.blocks.append(Heading("IV. XU HƯỚNG QUA CÁC NĂM"))
    doc.blocks.append(
        Table(
            "Kết quả qua các năm",
            (
                "Năm",
                "Đã đánh giá",
                "Đạt đủ tiêu chí",
                "Bình quân số tiêu chí đạt",
                "Được công nhận",
            ),
            tuple(
                (
                    t["year"],
                    t["evaluated"],
                    t["model_standard"],
                    _number(t["average_met"]) if t["average_met"] is not None else "—",
                    t["recognised"],
                )
                for t in board.trends
            ),
            sheet="Xu hướng",
        )
    )
    return doc


def build_baseline(params: dict, progress: Progress) -> ReportDocument:
    """(d) The baseline survey in the shape of seed 001 §III.2: per criteria group, how many
    units pass, and which fail and why (the explanation the engine stored for each)."""
    year = int(params["year"])
    params["_as_of"] = dt.date(year, 12, 31)
    doc, ctx = _document(params, "Kết quả khảo sát thực trạng theo Bộ tiêu chí", f"năm {year}")
    progress(20)
    board = _board(params, year)
    unit_ids, names = _units(board, params["_as_of"])
    results = {}
    if board.version_label:
        version_results = EvaluationResult.objects.filter(
            unit_id__in=unit_ids, period=str(year), criteria_version__in=_version_ids(year)
        ).values_list("unit_id", "result")
        results = dict(version_results)
    progress(60)
    n = len(results)
    doc.blocks.append(
        Paragraph(
            f"Qua khảo sát, tình hình của {_number(n)} đơn vị thuộc {ctx['name']} theo Bộ tiêu chí "
            f"({board.version_label or 'chưa có bộ tiêu chí'}) trong năm {year} như sau:"
        )
    )
    ordered = sorted(results, key=lambda uid: sort_key(names.get(uid, "")))
    for index, group in enumerate(board.groups, 1):
        doc.blocks.append(Heading(f"2.{index}. Nhóm tiêu chí {group['name']}", level=2))
        passing, failing = [], []
        for uid in ordered:
            criteria = [c for c in results[uid]["criteria"] if c["group"] == group["code"]]
            short = [c for c in criteria if c["status"] != "met"]
            (failing if short else passing).append((uid, short))
        doc.blocks.append(
            Paragraph(
                f"Có {len(passing):02d}/{n:02d} đơn vị đạt nhóm tiêu chí; "
                f"{len(failing):02d}/{n:02d} đơn vị không đạt."
            )
        )
        for uid, short in failing:
            reasons = "; ".join(
                f"tiêu chí {c['code']} ({c['name']}): {c.get('explanation') or c['status']}"
                for c in short
            )
            doc.blocks.append(Paragraph(f"{names.get(uid, '')}: {reasons}.", bullet=True))
        doc.blocks.append(
            Table(
                f"Nhóm {group['code']}: đơn vị không đạt",
                ("Đơn vị", "Tiêu chí không đạt", "Lý do"),
                tuple(
                    (names.get(uid, ""), c["code"], c.get("explanation") or c["status"])
                    for uid, short in failing
                    for c in short
                ),
                sheet=f"Nhóm {group['code']}",
            )
        )
    progress(80)
    return doc


def _version_ids(year: int) -> list[int]:
    from kieumau.evaluation.services import version_for

    return [version_for(Period.of_year(year)).pk]


BUILDERS = {
    ReportKind.MONTHLY: build_monthly,
    ReportKind.SEMIANNUAL: build_semiannual,
    ReportKind.ANNUAL: build_annual,
    ReportKind.BASELINE: build_baseline,
}


def build(kind: str, parameters: dict, progress: Progress | None = None) -> ReportDocument:
    """The document of a report kind for validated parameters (see services.normalise_params)."""
    return BUILDERS[kind](dict(parameters), progress or (lambda _p: None))
