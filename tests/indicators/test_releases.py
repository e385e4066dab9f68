"""Quarterly releases: built by approvals through the event path, numbered, never changed, corrected with a change log."""
import hashlib
import json

import frictionless
import pytest
from django.core.management import call_command
from django.urls import reverse

from indicators.models import DataRelease, DataReleaseFile
from indicators.results import releases
from programmes import handlers
from programmes.models import OutboxMessage
from provinces.quarters import Quarter
from tests.factories import ReportFactory, reopen, set_values, submit_and_approve, unit

pytestmark = pytest.mark.django_db

Q3 = Quarter(2025, 3)


def approve(personas, run, slug="bac-ninh", values=None, quarter=3, reporter=None):
    report = ReportFactory(unit=unit(slug), year=2025, quarter=quarter)
    set_values(report, values or {"TG5-01": 40})
    return submit_and_approve(report, reporter=reporter or personas.reporter, reviewer=personas.reviewer, run=run)


def files_of(release):
    return {item.name: item for item in release.files.all()}


def served(client, release, name):
    response = client.get(reverse("data:release_file", kwargs={
        "period": release.period, "number": release.number, "name": name}))
    assert response.status_code == 200, name
    return b"".join(response.streaming_content)


def test_the_first_approval_of_a_quarter_publishes_release_1_with_a_stable_address(
    client, personas, django_capture_on_commit_callbacks
):
    assert not DataRelease.objects.exists()
    approve(personas, django_capture_on_commit_callbacks)
    release = DataRelease.objects.get()
    assert (release.period, release.number, release.kind, release.units) == ("2025-Q3", 1, "first", ["bac-ninh"])
    assert release.get_absolute_url() == "/data/releases/2025-Q3/1/"
    names = set(files_of(release))
    assert {"indicator-values.csv", "indicator-values.json", "indicator-values.xlsx", "node-progress.csv",
            "completeness.csv", "project-progress.csv", "datapackage.json", "SHA256SUMS"} <= names
    data = served(client, release, "indicator-values.csv").decode("utf-8-sig")
    assert "bac-ninh" in data and ",TG5-01," in data and "2025,4" not in data
    page = client.get(release.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert files_of(release)["indicator-values.csv"].sha256 in page


def test_every_file_is_served_byte_for_byte_with_its_sha256(client, personas, django_capture_on_commit_callbacks):
    approve(personas, django_capture_on_commit_callbacks)
    release = DataRelease.objects.get()
    sums = served(client, release, "SHA256SUMS").decode()
    for item in release.files.all():
        data = served(client, release, item.name)
        assert hashlib.sha256(data).hexdigest() == item.sha256 and len(data) == item.size
        if item.name != "SHA256SUMS":
            assert f"{item.sha256}  {item.name}" in sums


def test_a_release_data_package_is_valid_under_frictionless_and_checks_the_hashes(
    client, personas, tmp_path, django_capture_on_commit_callbacks
):
    approve(personas, django_capture_on_commit_callbacks)
    release = DataRelease.objects.get()
    descriptor = json.loads(served(client, release, "datapackage.json"))
    for resource in descriptor["resources"]:
        (tmp_path / resource["path"]).write_bytes(served(client, release, resource["path"]))
        assert resource["hash"] == f"sha256:{files_of(release)[resource['path']].sha256}"
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor))
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    # A file changed after publication no longer passes: the hashes are checked.
    path = tmp_path / "indicator-values.csv"
    path.write_bytes(path.read_bytes().replace(b"40", b"41"))
    assert not frictionless.validate(str(tmp_path / "datapackage.json")).valid


def test_another_units_approval_makes_release_2_and_leaves_release_1_as_it_was(
    client, personas, django_capture_on_commit_callbacks
):
    approve(personas, django_capture_on_commit_callbacks)
    first = DataRelease.objects.get()
    before = {name: served(client, first, name) for name in files_of(first)}
    approve(personas, django_capture_on_commit_callbacks, slug="ha-noi", reporter=personas.other_reporter)
    second = DataRelease.objects.get(number=2)
    assert second.kind == "update" and second.units == ["ha-noi"]
    assert {c["change"] for c in second.change_log if c["table"] == "indicator-values"} == {"added"}
    assert {name: served(client, first, name) for name in files_of(first)} == before
    assert "ha-noi" in served(client, second, "indicator-values.csv").decode()
    assert "ha-noi" not in before["indicator-values.csv"].decode()


def test_a_correction_makes_a_new_release_whose_change_log_says_what_changed(
    client, personas, django_capture_on_commit_callbacks
):
    report = approve(personas, django_capture_on_commit_callbacks, values={"TG5-01": 40})
    first = DataRelease.objects.get()
    first_bytes = served(client, first, "indicator-values.csv")
    report = reopen(report, reviewer=personas.reviewer, run=django_capture_on_commit_callbacks)
    assert DataRelease.objects.count() == 1  # a reopening withdraws; the re-approval publishes
    set_values(report, {"TG5-01": 45.5})
    submit_and_approve(report, reporter=personas.reporter, reviewer=personas.reviewer,
                       run=django_capture_on_commit_callbacks)
    correction = DataRelease.objects.get(number=2)
    assert correction.kind == "correction"
    values = [c for c in correction.change_log if c["table"] == "indicator-values" and c["field"] == "value"]
    assert {(c["old"], c["new"]) for c in values} == {("40", "45.5")}
    assert any("unit=bac-ninh" in c["key"] and "indicator=TG5-01" in c["key"] for c in values)
    changes = served(client, correction, "changes.csv").decode("utf-8-sig")
    assert "indicator-values" in changes and ",40,45.5" in changes
    assert served(client, first, "indicator-values.csv") == first_bytes
    page = client.get(correction.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "45.5" in page and "40" in page
    assert "A newer release" in client.get(first.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_an_event_handled_twice_makes_one_release(personas, django_capture_on_commit_callbacks):
    approve(personas, django_capture_on_commit_callbacks)
    message = OutboxMessage.objects.filter(topic="report.approved").get()
    OutboxMessage.objects.filter(pk=message.pk).update(processed_at=None)
    assert handlers.process_outbox_message(message.pk) == "done"
    assert DataRelease.objects.count() == 1


def test_a_release_is_never_rebuilt_or_its_files_rewritten(personas, django_capture_on_commit_callbacks):
    approve(personas, django_capture_on_commit_callbacks)
    stored = {item.name: (item.sha256, item.file.name) for item in DataReleaseFile.objects.all()}
    assert releases.build_release(Q3) is None
    call_command("publish_releases", verbosity=0)
    assert {item.name: (item.sha256, item.file.name) for item in DataReleaseFile.objects.all()} == stored


def test_a_quarter_without_approved_figures_gets_no_release(personas):
    ReportFactory(unit=personas.unit, year=2025, quarter=3)  # a draft only
    assert releases.build_release(Q3) is None
    assert not DataRelease.objects.exists()


def test_publish_releases_catches_up_the_quarters_approved_before_releases_existed(personas):
    from tests.indicators.conftest import approved_report

    approved_report("ha-noi", 2024, 2)
    approved_report("bac-ninh", 2025, 3)
    call_command("publish_releases", verbosity=0)
    assert sorted(r.period for r in DataRelease.objects.all()) == ["2024-Q2", "2025-Q3"]


def test_the_release_pages_list_every_quarter_and_the_latest_first(client, personas, django_capture_on_commit_callbacks):
    approve(personas, django_capture_on_commit_callbacks)
    approve(personas, django_capture_on_commit_callbacks, slug="ha-noi", reporter=personas.other_reporter)
    html = client.get(reverse("data:release_quarter", kwargs={"period": Q3}), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert html.index("/data/releases/2025-Q3/2/") < html.index("/data/releases/2025-Q3/1/")
    assert client.get(reverse("data:release_list")).status_code == 200
    assert client.get("/data/releases/2025-Q4/").status_code == 404
    assert client.get("/data/releases/2025-Q3/9/").status_code == 404
    assert client.get("/data/releases/2025-Q3/1/secret.csv").status_code == 404
    assert client.get("/data/releases/2025-Q3/1/../../settings.py").status_code == 404


def test_the_releases_of_a_quarter_are_numbered_one_after_the_other(personas):
    from tests.indicators.conftest import approved_report

    approved_report("bac-ninh", 2025, 3)
    assert releases.build_release(Q3).number == 1
    approved_report("ha-noi", 2025, 3)
    assert releases.build_release(Q3).number == 2
