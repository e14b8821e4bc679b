"""Demo data for plans and tasks, loaded by `kieumau demo` after the demo structure.

Three provincial plans from the seeds (Vietnamese source documents in /work/shared/seeds):
Hưng Yên's Đề án 1886/QĐ-UBND (seed 001) with its 14 agencies and their duties as tasks,
Khánh Hòa's resolution of the provincial Party standing committee (seed 002) and Lạng Sơn's
(seed 000). What the seeds do not say (document numbers and dates of seeds 000 and 002, which
wards Hưng Yên builds in 2024, due dates of the duties) is marked as inferred in the notes and in
docs/plans.md. Idempotent: a plan is skipped when one with its number exists for its unit, an
agency by its name, a task by its origin ("demo:001:<n>").
"""

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from kieumau.core.actors import CLI
from kieumau.orgunits.models import OrgUnit
from kieumau.plans import services
from kieumau.plans.models import Plan

HY_BASELINE = (
    "Khảo sát năm 2022 tại 14 phường (thành phố Hưng Yên 7, thị xã Mỹ Hào 7): 1 phường đạt "
    "21/22 tiêu chí, 4 phường đạt 20/22, 5 phường đạt 19/22, 4 phường đạt 18/22. Diện tích đất "
    "Công an phường (m², yêu cầu ≥ 500): An Tảo 2.160; Lam Sơn 821,6; Hiến Nam 1.500; Hồng Châu "
    "1.000; Lê Lợi 390; Quang Trung 155,6; Minh Khai 146; 7 phường của Mỹ Hào chưa có trụ sở riêng."
)
HY_NOTE = (
    "Lộ trình theo Đề án: 2023 chọn 2 phường (Lam Sơn, An Tảo); 2024: 2; 2025: 3; 2026: 2; "
    "2027: 2; 2028: 3. Đề án không nêu tên các phường từ năm 2024: dữ liệu mẫu chọn Hiến Nam, "
    "Hồng Châu cho năm 2024 (suy luận: hai phường còn lại của thành phố đã đủ đất ≥ 500 m²)."
)

PLANS = (
    {
        "unit": "P33",
        "kind": "scheme",
        "number": "1886/QĐ-UBND",
        "title": (
            "Đề án “Công an phường điển hình, kiểu mẫu về an ninh, trật tự và văn minh đô thị "
            "giai đoạn 2023 – 2028”"
        ),
        "issued_on": dt.date(2023, 9, 6),
        "issuer": "Ủy ban nhân dân tỉnh Hưng Yên",
        "start_year": 2023,
        "end_year": 2028,
        "baseline_year": 2022,
        "baseline_text": HY_BASELINE,
        "baseline_numbers": {"21/22": 1, "20/22": 4, "19/22": 5, "18/22": 4},
        "note": HY_NOTE,
        "targets": (
            ("share", 50, None, dt.date(2025, 12, 31), "Đến năm 2025 có ít nhất 50%"),
            ("share", 100, None, dt.date(2028, 12, 31), "Đến cuối năm 2028, 100%"),
        ),
        "designations": {
            2023: ["P33-LAMSON", "P33-ANTAO"],
            2024: ["P33-HIENNAM", "P33-HONGCHAU"],
        },
    },
    {
        "unit": "P56",
        "kind": "resolution",
        "number": "NQ BTV Tỉnh ủy Khánh Hòa (số hiệu chưa rõ)",
        "title": (
            "Nghị quyết của Ban Thường vụ Tỉnh ủy về xây dựng Công an phường điển hình, kiểu mẫu "
            "về an ninh, trật tự và văn minh đô thị trên địa bàn tỉnh Khánh Hòa"
        ),
        "issued_on": None,
        "issuer": "Ban Thường vụ Tỉnh ủy Khánh Hòa",
        "start_year": 2023,
        "end_year": 2030,
        "baseline_year": None,
        "baseline_text": "35 Công an phường với 292 cán bộ, chiến sĩ (thời điểm ban hành).",
        "baseline_numbers": {"wards": 35, "officers": 292},
        "note": (
            "Năm 2023 thí điểm phường Vĩnh Nguyên (Nha Trang); từ năm 2024 nhân rộng tại Nha "
            "Trang, Cam Ranh, Ninh Hòa. Số hiệu, ngày ban hành và thời kỳ (2023–2030) là suy luận "
            "từ nội dung nghị quyết (seed 002)."
        ),
        "targets": (
            ("count", 11, 35, dt.date(2025, 12, 31), "Ít nhất 30% (11/35) đến năm 2025"),
            ("count", 35, 35, dt.date(2030, 12, 31), "100% (35/35) đến năm 2030"),
        ),
        "designations": {2023: ["P56-VINHNGUYEN"]},
    },
    {
        "unit": "P20",
        "kind": "resolution",
        "number": "NQ BTV Tỉnh ủy Lạng Sơn (số hiệu chưa rõ)",
        "title": (
            "Nghị quyết về tăng cường sự lãnh đạo của Đảng về xây dựng Công an phường điển hình, "
            "kiểu mẫu về an ninh, trật tự và văn minh đô thị giai đoạn 2023 - 2027, định hướng "
            "đến năm 2030"
        ),
        "issued_on": None,
        "issuer": "Ban Thường vụ Tỉnh ủy Lạng Sơn",
        "start_year": 2023,
        "end_year": 2030,
        "baseline_year": 2022,
        "baseline_text": "5 phường của thành phố Lạng Sơn đạt 15–18/22 tiêu chí (năm 2022).",
        "baseline_numbers": {"wards": 5},
        "note": (
            "Giai đoạn 2023–2027, định hướng đến năm 2030 (thời kỳ ghi 2023–2030). Mục tiêu áp "
            "dụng cho các phường của thành phố Lạng Sơn; trong dữ liệu mẫu các phường của tỉnh "
            "chính là các phường của thành phố, nên kế hoạch gắn với tỉnh (P20)."
        ),
        "targets": (
            ("count", 1, None, dt.date(2023, 12, 31), "Phường Chi Lăng đạt chuẩn đến hết năm 2023"),
            ("count", 5, 5, dt.date(2027, 12, 31), "05 Công an phường đến hết năm 2027"),
            ("share", 100, None, dt.date(2030, 12, 31), "100% phường của thành phố đến năm 2030"),
        ),
        "designations": {2023: ["P20-CHILANG"]},
    },
)

# Hưng Yên, seed 001 Part III "Phân công nhiệm vụ": the 14 agencies and one duty each
# (the due dates are inferred: land by end-2024, the rest by the end of the plan).
HY_AGENCIES = (
    ("Công an tỉnh Hưng Yên", "police"),
    ("Sở Thông tin và Truyền thông", "department"),
    ("Sở Tài nguyên và Môi trường", "department"),
    ("Sở Tài chính", "department"),
    ("Sở Kế hoạch và Đầu tư", "department"),
    ("Sở Nội vụ", "department"),
    ("Sở Văn hóa và Thể thao", "department"),
    ("Sở Giao thông vận tải", "department"),
    ("Sở Xây dựng", "department"),
    ("Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "front"),
    ("Đài Phát thanh và Truyền hình Hưng Yên", "media"),
    ("Báo Hưng Yên", "media"),
    ("UBND thành phố Hưng Yên", "peoples_committee"),
    ("UBND thị xã Mỹ Hào", "peoples_committee"),
)
END = dt.date(2028, 12, 31)
LAND = dt.date(2024, 12, 31)
HY_DUTIES = (
    (
        "Công an tỉnh Hưng Yên",
        "P33",
        "Kiểm tra, sơ kết 6 tháng, nhân rộng mô hình Công an phường kiểu mẫu",
        "",
        END,
    ),
    (
        "Sở Thông tin và Truyền thông",
        "P33",
        "Chỉ đạo báo chí, thông tin cơ sở tuyên truyền xây dựng Công an phường kiểu mẫu",
        "",
        END,
    ),
    (
        "Sở Tài nguyên và Môi trường",
        "P33",
        "Lập quy hoạch, bố trí diện tích đất cho Công an phường theo quy định",
        "3.1",
        LAND,
    ),
    ("Sở Tài chính", "P33", "Tham mưu bố trí kinh phí hỗ trợ thực hiện Đề án", "3.3", END),
    (
        "Sở Kế hoạch và Đầu tư",
        "P33",
        "Cân đối, bố trí vốn đầu tư công cho các dự án thuộc Đề án",
        "3.2",
        END,
    ),
    ("Sở Nội vụ", "P33", "Kiểm tra, hướng dẫn đẩy mạnh cải cách hành chính", "7.1", END),
    (
        "Sở Văn hóa và Thể thao",
        "P33",
        "Hướng dẫn xây dựng đô thị văn minh, gia đình văn hóa, khu dân cư văn hóa",
        "6.3",
        END,
    ),
    (
        "Sở Giao thông vận tải",
        "P33",
        "Hướng dẫn bảo đảm an toàn giao thông, lắp đặt biển báo tại các phường",
        "4.3",
        END,
    ),
    (
        "Sở Xây dựng",
        "P33",
        "Hướng dẫn trình tự, thủ tục đầu tư xây dựng trụ sở Công an phường",
        "3.2",
        END,
    ),
    (
        "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh",
        "P33",
        "Vận động Nhân dân tham gia phong trào toàn dân bảo vệ an ninh Tổ quốc",
        "6.1",
        END,
    ),
    (
        "Đài Phát thanh và Truyền hình Hưng Yên",
        "P33",
        "Tăng cường thông tin, tuyên truyền về xây dựng Công an phường kiểu mẫu",
        "",
        END,
    ),
    ("Báo Hưng Yên", "P33", "Mở chuyên mục tuyên truyền Công an phường kiểu mẫu", "", END),
    (
        "UBND thành phố Hưng Yên",
        "P33-LELOI",
        "Bố trí đất ≥ 500 m² cho Công an phường Lê Lợi (hiện 390 m²)",
        "3.1",
        LAND,
    ),
    (
        "UBND thành phố Hưng Yên",
        "P33-QUANGTRUNG",
        "Bố trí đất ≥ 500 m² cho Công an phường Quang Trung (hiện 155,6 m²)",
        "3.1",
        LAND,
    ),
    (
        "UBND thành phố Hưng Yên",
        "P33-MINHKHAI",
        "Bố trí đất ≥ 500 m² cho Công an phường Minh Khai (hiện 146 m²)",
        "3.1",
        LAND,
    ),
    (
        "UBND thị xã Mỹ Hào",
        "P33-TXMH",
        "Lập quy hoạch, bố trí đất cho 07 Công an phường của thị xã Mỹ Hào",
        "3.1",
        LAND,
    ),
)
OTHER_AGENCIES = (
    ("P56", "Công an tỉnh Khánh Hòa", "police"),
    ("P20", "Công an tỉnh Lạng Sơn", "police"),
)
AGENCY_ACCOUNTS = (("demo-so-taichinh-hy", "P33", "Sở Tài chính"),)


def _plans() -> tuple[int, dict[str, Plan]]:
    created, out = 0, {}
    for spec in PLANS:
        unit = OrgUnit.objects.filter(code=spec["unit"]).first()
        if unit is None:
            continue
        plan = Plan.objects.filter(unit=unit, number=spec["number"]).first()
        if plan is None:
            doc = {
                k: spec[k]
                for k in (
                    "kind",
                    "number",
                    "title",
                    "issued_on",
                    "issuer",
                    "start_year",
                    "end_year",
                    "baseline_year",
                    "baseline_text",
                    "baseline_numbers",
                    "note",
                )
            }
            plan = services.create_plan(actor=CLI, unit_code=spec["unit"], **doc)
            for kind, value, base, due, note in spec["targets"]:
                services.add_target(
                    actor=CLI,
                    plan_id=plan.pk,
                    kind=kind,
                    value=Decimal(value),
                    base_count=base,
                    due_date=due,
                    note=note,
                )
            for year, codes in spec["designations"].items():
                codes = [c for c in codes if OrgUnit.objects.filter(code=c).exists()]
                if codes:
                    services.designate_units(
                        actor=CLI, plan_id=plan.pk, year=year, unit_codes=codes
                    )
            created += 1
        out[spec["unit"]] = plan
    return created, out


def _agencies_and_tasks(plans: dict[str, Plan]) -> tuple[int, int, int]:
    from kieumau.workitems import services as tasks
    from kieumau.workitems.models import Agency, AgencyMember, WorkItem

    agencies = items = members = 0
    by_name: dict[tuple[str, str], Agency] = {}
    wanted = [("P33", name, kind) for name, kind in HY_AGENCIES] + list(OTHER_AGENCIES)
    for province, name, kind in wanted:
        if not OrgUnit.objects.filter(code=province).exists():
            continue
        existed = Agency.objects.filter(province__code=province, name=name).exists()
        by_name[province, name] = tasks.create_agency(
            actor=CLI, province=province, name=name, kind=kind
        )
        agencies += not existed
    plan = plans.get("P33")
    for n, (agency, unit, title, code, due) in enumerate(HY_DUTIES, 1):
        origin = f"demo:001:{n}"
        if ("P33", agency) not in by_name or WorkItem.objects.filter(origin=origin).exists():
            continue
        if not OrgUnit.objects.filter(code=unit).exists():
            continue
        tasks.create_item(
            actor=CLI,
            title=title,
            unit=unit,
            due_date=due,
            description="Nhiệm vụ theo Phần III Đề án 1886/QĐ-UBND (seed 001); hạn là suy luận.",
            assignee_agency=by_name["P33", agency].pk,
            plan=plan,
            criterion_code=code,
            origin=origin,
        )
        items += 1
    User = get_user_model()
    for username, province, name in AGENCY_ACCOUNTS:
        user = User.objects.filter(username=username).first()
        agency = by_name.get((province, name))
        if user is None or agency is None:
            continue
        if not AgencyMember.objects.filter(user=user, agency=agency).exists():
            tasks.add_member(actor=CLI, agency_id=agency.pk, user=user)
            members += 1
    return agencies, items, members


def load_demo() -> dict:
    """Load the plans demo once; return counts of what was created (empty when nothing new).

    Protects a database that already has data: nothing existing is changed; provinces missing
    from the structure are skipped.
    """
    with transaction.atomic():
        plans_created, plans = _plans()
        agencies, items, members = _agencies_and_tasks(plans)
    counts = {
        "plans": plans_created,
        "agencies": agencies,
        "tasks": items,
        "agency_members": members,
    }
    return {k: v for k, v in counts.items() if v}
