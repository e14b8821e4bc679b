"""`kieumau criteria list|import|export|publish|derive|retire`, through call_command.

Refusals raise CommandError with the exit code the shell would see (`returncode`): 2 for an
unknown set, version or file, 1 for a refused change (the reasons go to stderr).
"""

import copy
import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kieumau.core.actors import CLI
from kieumau.criteria import services
from kieumau.criteria.choices import VersionStatus
from kieumau.criteria.models import CriteriaVersion
from kieumau.engine import load_version_yaml, version_to_dict
from tests.criteria.conftest import DEFAULT_22, default_text


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("criteria", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def fails(*args) -> tuple[int, str, str]:
    """(exit code, message, stderr) of a refused command."""
    err = StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("criteria", *args, stdout=StringIO(), stderr=err)
    return exc.value.returncode, str(exc.value), err.getvalue()


def publish_v2(valid_from: str) -> CriteriaVersion:
    v1 = CriteriaVersion.objects.get(number=1)
    draft = services.derive_draft(actor=CLI, version_id=v1.pk)
    spec = copy.deepcopy(draft.spec)
    spec["valid_from"] = valid_from
    services.update_draft(actor=CLI, version_id=draft.pk, spec_dict=spec, revision=draft.revision)
    return services.publish(actor=CLI, version_id=draft.pk)


def test_import_then_list_as_json(db):
    out, _ = run("import", str(DEFAULT_22))
    assert out.startswith("Đã nhập QD5764 v1 (")
    out, _ = run("list", "--format", "json")
    sets = json.loads(out)
    assert len(sets) == 1
    s = sets[0]
    assert s["code"] == "QD5764"
    assert s["in_force"] == 1
    assert s["name_vi"].startswith("Bộ tiêu chí Công an phường")
    (v,) = s["versions"]
    assert v["version"] == 1
    assert v["status"] == "published"
    assert v["valid_from"] == "2021-07-13"
    assert v["criteria"] == 22
    assert v["provisional"] is True
    assert v["sha256"] == CriteriaVersion.objects.get().spec_sha256


def test_list_shows_every_version_and_its_status(default_criteria):
    services.derive_draft(actor=CLI, version_id=default_criteria.pk)
    sets = json.loads(run("list", "--format", "json")[0])
    assert [(v["version"], v["status"]) for v in sets[0]["versions"]] == [
        (1, "published"),
        (2, "draft"),
    ]
    table, _ = run("list")
    assert "QD5764" in table
    assert "v1\tpublished\t22 tiêu chí *" in table
    assert "v2\tdraft\t22 tiêu chí" in table


def test_export_without_version_is_the_version_in_force_today(default_criteria, tmp_path):
    out, _ = run("export", "QD5764")
    assert load_version_yaml(out).version == 1

    # A version that starts in the future is not yet in force.
    future = (dt.date.today() + dt.timedelta(days=400)).isoformat()
    publish_v2(future)
    assert load_version_yaml(run("export", "QD5764")[0]).version == 1
    # One that started already is.
    v2 = CriteriaVersion.objects.get(number=2)
    draft = services.derive_draft(actor=CLI, version_id=v2.pk)
    spec = copy.deepcopy(draft.spec)
    spec["valid_from"] = "2024-01-01"
    services.update_draft(actor=CLI, version_id=draft.pk, spec_dict=spec, revision=1)
    services.publish(actor=CLI, version_id=draft.pk)
    exported = load_version_yaml(run("export", "QD5764")[0])
    assert (exported.version, exported.valid_from) == (3, dt.date(2024, 1, 1))
    assert json.loads(run("list", "--format", "json")[0])[0]["in_force"] == 3

    # --version picks any version, -o writes a file.
    assert load_version_yaml(run("export", "QD5764", "--version", "1")[0]).version == 1
    target = tmp_path / "v2.yaml"
    out, _ = run("export", "QD5764", "--version", "2", "-o", str(target))
    assert out == ""
    assert load_version_yaml(target.read_text(encoding="utf-8")).version == 2


def test_cli_round_trip_reimports_to_the_same_digest(default_criteria, tmp_path):
    target = tmp_path / "export.yaml"
    run("export", "QD5764", "-o", str(target))
    spec = load_version_yaml(target.read_text(encoding="utf-8"))
    assert version_to_dict(spec, json_safe=True) == default_criteria.spec
    sha, stored = default_criteria.spec_sha256, copy.deepcopy(default_criteria.spec)
    CriteriaVersion.objects.all().delete()
    run("import", str(target))
    again = CriteriaVersion.objects.get()
    assert again.spec_sha256 == sha
    assert again.spec == stored


def test_import_over_a_published_version_exits_1_and_changes_nothing(default_criteria, tmp_path):
    changed = tmp_path / "changed.yaml"
    changed.write_text(default_text().replace("value: 15\n", "value: 10\n", 1), encoding="utf-8")
    code, message, stderr = fails("import", str(changed))
    assert code == 1
    assert "không có gì thay đổi" in message
    assert "QD5764 v1 đã ban hành, không thể ghi đè" in stderr
    assert CriteriaVersion.objects.get().spec_sha256 == default_criteria.spec_sha256


def test_import_of_a_broken_file_exits_1_with_the_place(db, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        default_text().replace(
            "rule: own_headquarters && headquarters_standard_design",
            "rule: own_headquarters && headquarters_standard_desing",
        ),
        encoding="utf-8",
    )
    code, _, stderr = fails("import", str(broken))
    assert code == 1
    assert "Tiêu chí 3.2" in stderr
    assert "headquarters_standard_desing" in stderr
    assert not CriteriaVersion.objects.exists()


def test_unknown_file_set_or_version_exit_2(default_criteria, tmp_path):
    code, message, _ = fails("import", str(tmp_path / "khong-co.yaml"))
    assert code == 2
    assert "Không tìm thấy tệp" in message
    code, message, _ = fails("export", "KHONG-CO")
    assert code == 2
    assert "không tìm thấy bộ tiêu chí 'KHONG-CO'" in message
    code, message, _ = fails("export", "QD5764", "--version", "9")
    assert code == 2
    assert "phiên bản 9" in message
    code, _, _ = fails("publish", "QD5764", "--version", "9")
    assert code == 2


def test_derive_publish_retire_from_the_shell(default_criteria):
    out, _ = run("derive", "QD5764", "--version", "1")
    assert out.strip() == "Đã tạo bản nháp QD5764 v2."
    out, _ = run("publish", "QD5764", "--version", "2")
    assert out.strip() == "Đã ban hành QD5764 v2."
    assert CriteriaVersion.objects.get(number=2).status == VersionStatus.PUBLISHED
    out, _ = run("retire", "QD5764", "--version", "1")
    assert out.strip() == "Đã ngừng áp dụng QD5764 v1."
    assert CriteriaVersion.objects.get(number=1).status == VersionStatus.RETIRED
    # Publishing again is refused (exit 1) with the reason on stderr.
    code, _, stderr = fails("publish", "QD5764", "--version", "2")
    assert code == 1
    assert "không thể sửa" in stderr


def test_publishing_a_broken_draft_from_the_shell_is_refused(default_criteria):
    draft = services.derive_draft(actor=CLI, version_id=default_criteria.pk)
    services.update_rule(
        actor=CLI, version_id=draft.pk, code="7.3", rule="satisfaction_rate >=", revision=1
    )
    code, _, stderr = fails("publish", "QD5764", "--version", "2")
    assert code == 1
    assert "không thể ban hành: Tiêu chí 7.3" in stderr
    assert CriteriaVersion.objects.get(number=2).status == VersionStatus.DRAFT
