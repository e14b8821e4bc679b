"""Shared test data: the default criteria set and a unit that meets every criterion.

The figures are realistic (DOMAIN.md §3): An Tảo ward's 2,160 m² of land, Hưng Yên's 2022
crime figures, civil-defence teams in every residential group.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

from kieumau.engine import Unit, VersionSpec, load_version_file

DEFAULT_YAML = (
    Path(__file__).resolve().parents[2]
    / "src"
    / "kieumau"
    / "criteria"
    / "data"
    / "default_22.yaml"
)

WARD = Unit("HY-AN-TAO", "ward", dt.date(2025, 12, 31))
PERIOD = "2025"
PREV = "2024"


@cache
def default_version() -> VersionSpec:
    """The shipped default set, loaded once per test session."""
    return load_version_file(DEFAULT_YAML)


def good_current() -> dict[str, Any]:
    """Values for 2025 under which every default criterion is met (with some margin)."""
    return {
        "party_committee_rating": "Hoàn thành xuất sắc nhiệm vụ",
        "people_committee_title": "Tập thể lao động xuất sắc",
        "security_resolution_issued": True,
        "model_unit_plan_issued": True,
        "progress_hearings_held": 4,
        "police_party_cell_rating": "Hoàn thành xuất sắc nhiệm vụ",
        "police_party_cell_exemplary": True,
        "police_unit_title": "Đơn vị Quyết thắng",
        "exemplary_discipline_unit": True,
        "officers_disciplined": 0,
        "organised_per_ministry_model": True,
        "police_headcount": 10,
        "police_headcount_quota": 9,
        "security_land_area": 2160,
        "security_land_sites": 1,
        "own_headquarters": True,
        "headquarters_standard_design": True,
        "headquarters_good_condition": True,
        "equipment_norm_pct": 100,
        "regular_budget_allocated": True,
        "operational_budget_allocated": True,
        "population_discrepancies_found": 37,
        "population_discrepancies_fixed": 37,
        "id_targets_met": True,
        "conditional_businesses": 42,
        "conditional_businesses_managed": 42,
        "weapons_to_manage": 15,
        "weapons_managed": 15,
        "inspections_planned": 12,
        "inspections_done": 12,
        "serious_fires": 0,
        "serious_traffic_accidents": 0,
        "illegal_racing_cases": 0,
        "firecracker_cases": 0,
        "crime_reports_received": 58,
        "crime_reports_handled_on_time": 58,
        "crowd_complaints": 0,
        "supervised_persons": 250,
        "supervised_persons_managed": 250,
        "reoffenders": 3,
        "drug_users": 32,
        "new_drug_users": 0,
        "fugitives_at_large": 6,
        "fugitives_caught": 12,
        "crime_social_order": 18,
        "organised_crime_groups": 0,
        "crime_hotspots": 0,
        "env_food_cases": 2,
        "self_management_models": 3,
        "skilful_mobilisation_models": 1,
        "security_festival_held": True,
        "police_listening_forum_held": True,
        "safe_units_assessed": 40,
        "safe_units_recognised": 38,
        "residential_groups": 12,
        "cultured_residential_groups": 11,
        "families": 2400,
        "cultured_families": 2256,
        "groups_with_convention": 12,
        "street_front_households": 640,
        "street_front_households_pledged": 640,
        "businesses": 310,
        "businesses_compliant": 310,
        "movement_merit_certificate": True,
        "groups_with_civil_defence_team": 12,
        "groups_with_street_guards": 12,
        "procedures_total": 24,
        "procedures_published": 24,
        "dossiers_settled": 1200,
        "dossiers_on_time": 1200,
        "dossiers_early": 180,
        "citizen_feedback_received": 35,
        "citizen_feedback_answered": 35,
        "justified_conduct_complaints": 0,
        "satisfaction_rate": 93.5,
        "survey_respondents": 300,
    }


def good_previous() -> dict[str, Any]:
    """2024 values that the "vs previous year" rules compare with."""
    return {
        "drug_users": 40,
        "fugitives_caught": 10,
        "crime_social_order": 20,
        "env_food_cases": 5,
    }


def good_readings(**overrides: Any) -> dict[str, dict[str, Any]]:
    """Readings meeting every criterion; ``overrides`` replace 2025 values (None removes)."""
    current = good_current()
    for key, value in overrides.items():
        if value is None:
            current.pop(key, None)
        else:
            current[key] = value
    return {PERIOD: current, PREV: good_previous()}
