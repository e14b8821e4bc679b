"""Demo data for feedback, loaded by `kieumau demo`: public pages, survey responses, feedback
items, forums on a few demo wards of Hưng Yên, Lạng Sơn and Khánh Hòa this year, then the
7.2/7.3 indicator values computed from them (so the criteria show values).

Everything goes through the services (the public ones as an anonymous citizen); only the
timestamps are spread back over the last weeks afterwards. Idempotent: nothing happens when
the demo wards already have survey responses.
"""

import datetime as dt
import random

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone

from kieumau.core.actors import SystemActor
from kieumau.core.errors import DomainError
from kieumau.feedback import services
from kieumau.feedback.models import FeedbackItem, SurveyResponse
from kieumau.orgunits.choices import COMMUNE_LEVEL_KINDS
from kieumau.orgunits.models import OrgUnitVersion

DEMO = SystemActor("demo")
CITIZEN = AnonymousUser()
PROVINCES = ("P33", "P20", "P56")
WARDS_PER_PROVINCE = 2
# Per ward: (responses, share answering 4-5) — the last ward of each province stays below the
# minimum sample so the page shows why no rate is written.
SURVEY_PLAN = ((48, 0.94), (12, 0.8))
TEXTS = (
    ("problem", "Đèn chiếu sáng ngõ {n} bị hỏng nhiều ngày, buổi tối rất tối."),
    ("suggestion", "Đề nghị tăng cường tuần tra khu vực chợ vào buổi sáng sớm (khu {n})."),
    ("conduct", "Cán bộ tiếp dân ngày thứ Hai trả lời chưa rõ ràng về thủ tục cư trú (lần {n})."),
    ("problem", "Xe máy đỗ chiếm lòng đường trước cổng trường, tổ dân phố {n}."),
    ("suggestion", "Nên niêm yết thêm số điện thoại đường dây nóng ở nhà văn hóa tổ {n}."),
    ("problem", "Nhóm thanh niên tụ tập gây ồn ào sau 23 giờ ở công viên số {n}."),
)
ANSWER = "Công an phường đã tiếp nhận, kiểm tra và xử lý; cảm ơn ông/bà đã phản ánh."


def _demo_units(today: dt.date) -> dict[str, list[tuple[int, str]]]:
    """Up to two commune-level units in force today per demo province: (id, code)."""
    out: dict[str, list[tuple[int, str]]] = {}
    rows = (
        OrgUnitVersion.objects.active_on(today)
        .filter(kind__in=COMMUNE_LEVEL_KINDS, parent__code__in=PROVINCES)
        .exclude(unit__code__startswith="S-")
        .order_by("unit__code")
        .values_list("parent__code", "unit_id", "unit__code")
    )
    for province, uid, code in rows:
        if len(out.setdefault(province, [])) < WARDS_PER_PROVINCE:
            out[province].append((uid, code))
    return out


def load_demo() -> dict:
    """Load the feedback demo once; return counts of what was created (empty when nothing new)."""
    today = timezone.localdate()
    units = _demo_units(today)
    ids = [uid for pairs in units.values() for uid, _code in pairs]
    if not ids or SurveyResponse.objects.filter(unit_id__in=ids).exists():
        return {}
    rng = random.Random(2025)
    counts = {"pages": 0, "responses": 0, "items": 0, "forums": 0}
    start_of_year = dt.datetime.combine(
        dt.date(today.year, 1, 1), dt.time(8), tzinfo=timezone.get_current_timezone()
    )
    with transaction.atomic():
        for pairs in units.values():
            for index, (uid, code) in enumerate(pairs):
                channel = services.open_channel(actor=DEMO, unit_code=code)
                counts["pages"] += 1
                questions = services.questions_for_unit(uid, today)
                responses, share = SURVEY_PLAN[min(index, len(SURVEY_PLAN) - 1)]
                made = []
                for n in range(responses):
                    happy = rng.random() < share
                    scores = {
                        q.pk: rng.choice((4, 5, 5)) if happy else rng.choice((2, 3, 3, 4))
                        for q in questions
                    }
                    comment = "Cán bộ nhiệt tình, chu đáo." if happy and n % 7 == 0 else ""
                    made.append(
                        services.submit_survey(
                            actor=CITIZEN,
                            channel_code=channel.code,
                            scores=scores,
                            comment=comment,
                            client=f"demo-{code}-{n}",
                        ).pk
                    )
                counts["responses"] += len(made)
                for pk in made:
                    back = dt.timedelta(days=rng.randint(1, 60), hours=rng.randint(0, 9))
                    SurveyResponse.objects.filter(pk=pk).update(
                        submitted_at=max(start_of_year, timezone.now() - back)
                    )
                counts["items"] += _items(rng, channel.code, code, start_of_year)
            if pairs:
                _, first = pairs[0]
                services.record_forum(
                    actor=DEMO,
                    unit_code=first,
                    held_on=max(dt.date(today.year, 1, 1), today - dt.timedelta(days=40)),
                    attendees=rng.randint(60, 140),
                    place="Hội trường Công an phường",
                    issues=[
                        "Tình trạng đỗ xe lấn chiếm vỉa hè trên các tuyến phố chính",
                        "Đề nghị lắp thêm camera an ninh tại các ngõ tối",
                    ],
                )
                counts["forums"] += 1
    for province in units:
        try:
            services.compute_indicators(actor=DEMO, period=str(today.year), under=province)
        except DomainError:
            continue
    return counts


def _items(rng: random.Random, channel_code: str, code: str, start_of_year) -> int:
    """Six items for a ward: four answered (one conduct complaint found unjustified), one
    waiting within its deadline, one overdue."""
    made = 0
    for n, (kind, text) in enumerate(TEXTS):
        item = services.submit_feedback(
            actor=CITIZEN,
            channel_code=channel_code,
            kind=kind,
            text=text.format(n=n + 3),
            name="Nguyễn Văn An" if n % 2 else "",
            phone="0912345678" if n % 2 else "",
        )
        made += 1
        days_back = 40 - 6 * n
        received = max(start_of_year, timezone.now() - dt.timedelta(days=days_back))
        FeedbackItem.objects.filter(pk=item.pk).update(
            received_at=received,
            due_date=timezone.localtime(received).date() + dt.timedelta(days=15),
        )
        if n < 4:
            services.answer_item(
                actor=DEMO,
                item_id=item.pk,
                answer=ANSWER,
                justified=False if kind == "conduct" else None,
                close=n % 2 == 0,
            )
            FeedbackItem.objects.filter(pk=item.pk).update(
                answered_at=received + dt.timedelta(days=rng.randint(2, 12))
            )
    return made
