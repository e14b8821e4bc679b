"""`kieumau synth`: a deterministic national structure with the exact 2025 counts."""

import datetime as dt
import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kieumau.audit.models import AuditEntry
from kieumau.audit.verify import verify_chain
from kieumau.core.actors import CLI
from kieumau.orgunits import selectors
from kieumau.orgunits.choices import Level
from kieumau.orgunits.models import LineageLink, OrgUnit, OrgUnitVersion
from kieumau.orgunits.synth import generate_national, plan_national, real_provinces

BEFORE = dt.date(2024, 6, 1)
BETWEEN = dt.date(2025, 5, 1)
AFTER = dt.date(2026, 1, 1)
REORG = dt.date(2025, 7, 1)


def test_real_provinces_come_from_the_demo_files():
    real = real_provinces()
    assert len(real.provinces) == 63
    assert len(real.merges) == 23
    assert sum(len(v) for v in real.merges.values()) == 29
    assert real.survivor_of("34") == "33" and real.survivor_of("58") == "56"
    assert real.survivor_of("20") == "20"


def test_plan_is_deterministic_and_exact_at_full_scale():
    first, second = plan_national(seed=7), plan_national(seed=7)
    key = lambda plan: [(u.code, u.name, u.kind, u.district, u.successor) for u in plan.old_units]  # noqa: E731
    assert key(first) == key(second)
    assert [(u.code, u.name) for u in first.new_units] == [
        (u.code, u.name) for u in second.new_units
    ]
    assert key(plan_national(seed=8)) != key(first)

    counts = first.counts()
    assert counts["provinces_before"] == 63 and counts["provinces_after"] == 34
    assert counts["communes_after"] == 3321
    assert (
        counts["communes_kind_after"],
        counts["wards_after"],
        counts["special_zones_after"],
    ) == (
        2621,
        687,
        13,
    )
    assert counts["districts"] == 705
    assert 1700 <= counts["wards_before"] <= 1900
    assert 9000 <= counts["communes_before"] <= 11000
    assert all(u.district and u.successor for u in first.old_units)
    assert len({u.code for u in first.old_units + first.new_units + first.districts}) == (
        len(first.old_units) + len(first.new_units) + len(first.districts)
    )


@pytest.mark.django_db
def test_synth_full_scale_counts_lineage_and_audit():
    result = generate_national(actor=CLI, seed=1)
    assert result.counts["communes_after"] == 3321

    # 63 provinces and ~1,800 wards before; 705 districts until 1/3/2025.
    assert len(selectors.units_as_of(CLI, BEFORE, level=Level.PROVINCE)) == 63
    assert len(selectors.units_as_of(CLI, BEFORE, level=Level.DISTRICT)) == 705
    before = Counter(r.kind for r in selectors.units_as_of(CLI, BEFORE, level=Level.COMMUNE))
    assert 1700 <= before["ward"] <= 1900
    assert 9000 <= sum(before.values()) <= 11000

    # Between 1/3 and 1/7/2025 commune police report to the provincial police directly.
    assert selectors.units_as_of(CLI, BETWEEN, level=Level.DISTRICT) == []
    provinces = {r.code for r in selectors.units_as_of(CLI, BETWEEN, level=Level.PROVINCE)}
    between = selectors.units_as_of(CLI, BETWEEN, level=Level.COMMUNE)
    assert between and all(r.parent_code in provinces for r in between)

    # From 1/7/2025: exactly 34 provinces and 3,321 commune-level units (2,621 / 687 / 13).
    assert len(selectors.units_as_of(CLI, AFTER, level=Level.PROVINCE)) == 34
    after = Counter(r.kind for r in selectors.units_as_of(CLI, AFTER, level=Level.COMMUNE))
    assert after == {"commune": 2621, "ward": 687, "special_zone": 13}

    # Every old commune-level unit maps into exactly one new one.
    old = set(
        OrgUnitVersion.objects.filter(level=Level.COMMUNE, valid_to=REORG).values_list(
            "unit_id", flat=True
        )
    )
    links = Counter(
        LineageLink.objects.filter(predecessor_id__in=old).values_list("predecessor_id", flat=True)
    )
    assert len(old) == sum(before.values())
    assert set(links) == old and set(links.values()) == {1}
    assert not OrgUnit.objects.filter(code__startswith="S-", is_synthetic=False).exists()

    entry = AuditEntry.objects.get(event="orgunits.synth_generated")
    assert entry.after["communes_after"] == 3321 and entry.after["prefix"] == "S-"
    assert verify_chain().ok


@pytest.mark.django_db
def test_synth_command_prints_counts_and_refuses_an_existing_prefix():
    out = io.StringIO()
    call_command("synth", "--scale", "0.03", "--prefix", "T-", "--seed", "3", stdout=out)
    text = out.getvalue()
    assert "Đã tạo dữ liệu tổng hợp" in text and "elapsed" in text
    units = OrgUnit.objects.count()
    assert units > 0 and OrgUnit.objects.filter(code="T-VN").exists()
    # A small-scale run still merges 63 provinces into 34 with full lineage.
    assert len(selectors.units_as_of(CLI, AFTER, level=Level.PROVINCE)) == 34
    assert len(selectors.units_as_of(CLI, BEFORE, level=Level.PROVINCE)) == 63

    with pytest.raises(CommandError, match="đã có đơn vị với tiền tố mã 'T-'"):
        call_command("synth", "--scale", "0.03", "--prefix", "T-", stdout=io.StringIO())
    with pytest.raises(CommandError, match="tỉ lệ"):
        call_command("synth", "--scale", "2", "--prefix", "U-", stdout=io.StringIO())
    assert OrgUnit.objects.count() == units
    assert AuditEntry.objects.filter(event="orgunits.synth_generated").count() == 1
    assert verify_chain().ok
