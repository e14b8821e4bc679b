"""The demo reproduces what the seeds publish (issue: criteria engine, item 9).

One test loads the whole demo (units, 2025 reorganisation, default criteria, values 2021–2025,
evaluations) and checks every published figure against the stored, explained results.
"""

from collections import Counter

import pytest

from kieumau.core.actors import CLI
from kieumau.datavalues.demo import HUNG_YEN_2022, LANG_SON_2022, load_demo_criteria_and_values
from kieumau.evaluation.models import EvaluationResult
from kieumau.evaluation.services import evaluate_unit_code
from kieumau.orgunits.demo import load_demo

pytestmark = pytest.mark.django_db


def _results(period, codes):
    return {
        r.unit.code: r
        for r in EvaluationResult.objects.filter(
            period=period, unit__code__in=codes
        ).select_related("unit")
    }


def test_demo_reproduces_published_results():
    load_demo(password="Mat-khau-demo-2025")
    loaded = load_demo_criteria_and_values()
    assert loaded["values"] > 10_000
    assert loaded["evaluated"] > 100

    hung_yen = _results("2022", list(HUNG_YEN_2022))
    assert len(hung_yen) == 14
    assert Counter(r.met for r in hung_yen.values()) == {21: 1, 20: 4, 19: 5, 18: 4}
    assert {r.total for r in hung_yen.values()} == {22}
    land_ok = {c for c, r in hung_yen.items() if r.statuses["3.1"] == "met"}
    assert land_ok == {"P33-ANTAO", "P33-LAMSON", "P33-HIENNAM", "P33-HONGCHAU"}
    group1 = [c for c, r in hung_yen.items() if r.statuses["1.1"] == r.statuses["1.2"] == "met"]
    assert len(group1) == 5

    an_tao = evaluate_unit_code(CLI, "P33-ANTAO", "2022")
    land = next(c for c in an_tao["criteria"] if c["code"] == "3.1")
    assert "2.160 m²" in land["explanation"] and land["status"] == "met"
    le_loi = next(
        c for c in evaluate_unit_code(CLI, "P33-LELOI", "2022")["criteria"] if c["code"] == "3.1"
    )
    assert "390 m²" in le_loi["explanation"] and le_loi["status"] == "not_met"

    nghe_an = EvaluationResult.objects.filter(period="2023", unit__code__startswith="P40-")
    only_11 = [
        r
        for r in nghe_an
        if r.met == 21 and [c for c, s in r.statuses.items() if s != "met"] == ["1.1"]
    ]
    assert len(only_11) == 16

    lang_son = _results("2022", list(LANG_SON_2022))
    assert len(lang_son) == 5
    assert all(15 <= r.met <= 18 for r in lang_son.values())

    # After the 2025 merger, Phố Hiến's "last year" is its predecessors' 2024 values summed.
    pho_hien = evaluate_unit_code(CLI, "P33-PHOHIEN", "2025")
    drugs = next(c for c in pho_hien["criteria"] if c["code"] == "5.3")
    assert drugs["values"]["drug_users@prev_year"] > drugs["values"]["drug_users"] > 0

    # Loading again changes nothing.
    assert load_demo_criteria_and_values() == {"criteria_imported": 0, "values": 0, "evaluated": 0}
