"""The HubSpot stand-in behaves as HubSpot documents its CRM v3 contacts API, spoken plainly."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import requests

from ez_pipelines.clock import ManualClock
from ez_pipelines.sandbox.app import create_app
from ez_pipelines.sandbox.client import SandboxClient
from ez_pipelines.sandbox.hubspot.standin import HubSpotStandIn
from ez_pipelines.sandbox.server import BackgroundServer
from tests.sandbox.hubspot_http import CONTACTS, HubSpotHttp

ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


@pytest.fixture
def hubspot(sandbox: BackgroundServer) -> HubSpotHttp:
    return HubSpotHttp(sandbox.base_url)


@pytest.fixture
def on_manual_clock(clock: ManualClock) -> Iterator[tuple[HubSpotHttp, SandboxClient]]:
    """A stand-in whose windows and lags run on the test's clock instead of the wall clock."""
    with BackgroundServer(create_app([HubSpotStandIn(clock=clock)])) as server:
        control = SandboxClient(server.base_url)
        yield HubSpotHttp(server.base_url), control
        control.close()


def test_create_answers_201_with_the_documented_contact(hubspot: HubSpotHttp) -> None:
    response = hubspot.create(email="a@x.test", firstname="Sara")

    assert response.status_code == 201
    contact = response.json()
    assert contact["id"] == "1001"
    assert contact["archived"] is False
    assert ISO_MS.match(contact["createdAt"])
    assert ISO_MS.match(contact["updatedAt"])
    assert contact["properties"]["email"] == "a@x.test"
    assert contact["properties"]["hs_object_id"] == "1001"


def test_email_is_unique_whatever_its_case_and_409_names_the_holder(
    hubspot: HubSpotHttp, sandbox_client: SandboxClient
) -> None:
    hubspot.create(email="A@x.test")

    response = hubspot.create(email=" a@X.TEST")

    assert response.status_code == 409
    body = response.json()
    assert body["status"] == "error"
    assert body["category"] == "CONFLICT"
    assert body["message"] == "Contact already exists. Existing ID: 1001"
    assert body["correlationId"]
    assert sandbox_client.records("hubspot")["counts"]["contacts"] == 1


def test_id_property_value_is_unique(hubspot: HubSpotHttp) -> None:
    hubspot.upsert(("C1", {"email": "a@x.test"}))
    other = hubspot.create(email="b@x.test").json()

    response = hubspot.call(
        "PATCH", f"{CONTACTS}/{other['id']}", {"properties": {"ez_contact_key": "C1"}}
    )

    assert response.status_code == 409
    assert response.json()["category"] == "CONFLICT"


def test_batch_upsert_answers_200_and_tells_created_from_updated(hubspot: HubSpotHttp) -> None:
    first = hubspot.upsert(("C1", {"email": "a@x.test"}), ("C2", {"email": "b@x.test"}))
    again = hubspot.upsert(("C1", {"firstname": "Sara"}))

    assert first.status_code == 200
    assert first.json()["status"] == "COMPLETE"
    assert [r["new"] for r in first.json()["results"]] == [True, True]
    assert "errors" not in first.json()
    [updated] = again.json()["results"]
    assert updated["new"] is False
    assert updated["properties"]["firstname"] == "Sara"
    assert updated["properties"]["ez_contact_key"] == "C1"


def test_batch_upsert_by_email_finds_the_contact_case_insensitively(hubspot: HubSpotHttp) -> None:
    hubspot.create(email="Sara@x.test")

    response = hubspot.upsert(("SARA@x.test", {"firstname": "Sara"}), id_property="email")

    [result] = response.json()["results"]
    assert (result["id"], result["new"]) == ("1001", False)


def test_batch_with_a_refused_input_answers_207_multi_status(hubspot: HubSpotHttp) -> None:
    hubspot.create(email="taken@x.test")

    response = hubspot.upsert(
        ("C1", {"email": "free@x.test"}),
        ("C2", {"email": "TAKEN@x.test"}),
        ("C3", {"email": "not an email"}),
    )

    assert response.status_code == 207
    body = response.json()
    assert body["numErrors"] == 2
    conflict, invalid = body["errors"]
    assert conflict["category"] == "CONFLICT"
    assert conflict["message"] == "Contact already exists. Existing ID: 1001"
    assert conflict["context"] == {"ids": ["C2"]}
    assert invalid["category"] == "VALIDATION_ERROR"
    assert invalid["context"] == {"ids": ["C3"]}
    assert [r["properties"]["ez_contact_key"] for r in body["results"]] == ["C1"]


def test_batch_of_more_than_100_inputs_is_refused_whole(
    hubspot: HubSpotHttp, sandbox_client: SandboxClient
) -> None:
    inputs = [(f"C{n}", {"email": f"g{n}@x.test"}) for n in range(101)]

    response = hubspot.upsert(*inputs)

    assert response.status_code == 400
    assert response.json()["category"] == "VALIDATION_ERROR"
    assert sandbox_client.records("hubspot")["counts"]["contacts"] == 0
    assert hubspot.upsert(*inputs[:100]).status_code == 200


def test_batch_repeating_an_id_is_refused_whole(hubspot: HubSpotHttp) -> None:
    response = hubspot.upsert(("C1", {"email": "a@x.test"}), ("C1", {"email": "b@x.test"}))

    assert response.status_code == 400
    assert "Duplicate IDs" in response.json()["message"]


def test_batch_update_and_read_name_the_ids_they_cannot_find(hubspot: HubSpotHttp) -> None:
    hubspot.create(email="a@x.test")
    update = {
        "inputs": [{"id": "1001", "properties": {"lastname": "Q"}}, {"id": "5", "properties": {}}]
    }
    read = {"inputs": [{"id": "1001"}, {"id": "5"}], "properties": ["lastname"]}

    updated = hubspot.call("POST", f"{CONTACTS}/batch/update", update)
    fetched = hubspot.call("POST", f"{CONTACTS}/batch/read", read)

    for response in (updated, fetched):
        assert response.status_code == 207
        [error] = response.json()["errors"]
        assert (error["category"], error["context"]) == ("OBJECT_NOT_FOUND", {"ids": ["5"]})
        [result] = response.json()["results"]
        assert result["properties"]["lastname"] == "Q"


def test_get_and_patch_by_id_property(hubspot: HubSpotHttp) -> None:
    hubspot.upsert(("C1", {"email": "a@x.test"}))

    patched = hubspot.call(
        "PATCH", f"{CONTACTS}/C1", {"properties": {"lastname": "Q"}}, idProperty="ez_contact_key"
    )
    by_email = hubspot.call(
        "GET", f"{CONTACTS}/A@X.test", idProperty="email", properties="lastname"
    )
    missing = hubspot.call("GET", f"{CONTACTS}/424242")

    assert patched.status_code == 200
    assert by_email.json()["properties"]["lastname"] == "Q"
    assert missing.status_code == 404
    assert missing.json()["message"] == "resource not found"


def test_unknown_property_and_bad_value_are_validation_errors(hubspot: HubSpotHttp) -> None:
    unknown = hubspot.create(email="a@x.test", favourite_car="Patrol")
    stage = hubspot.create(email="a@x.test", lifecyclestage="vip")

    assert unknown.status_code == stage.status_code == 400
    assert unknown.json()["errors"][0]["code"] == "PROPERTY_DOESNT_EXIST"
    assert stage.json()["errors"][0]["code"] == "INVALID_OPTION"


def test_deleted_contact_is_archived_and_frees_its_email(
    hubspot: HubSpotHttp, sandbox_client: SandboxClient
) -> None:
    hubspot.create(email="a@x.test")

    assert hubspot.call("DELETE", f"{CONTACTS}/1001").status_code == 204
    assert hubspot.call("GET", f"{CONTACTS}/1001").status_code == 404
    assert hubspot.create(email="a@x.test").json()["id"] == "1002"
    assert sandbox_client.records("hubspot")["counts"] == {"contacts": 1, "archived": 1}


def test_search_trails_writes_by_the_configured_lag(
    on_manual_clock: tuple[HubSpotHttp, SandboxClient], clock: ManualClock
) -> None:
    hubspot, control = on_manual_clock
    control.configure("hubspot", search_lag_s=30)
    hubspot.create(email="A@x.test", firstname="Before")

    unseen = hubspot.search_email("a@x.test").json()
    clock.advance(29.9)
    still_unseen = hubspot.search_email("a@x.test").json()
    clock.advance(0.1)
    seen = hubspot.search_email("a@x.test").json()
    hubspot.call("PATCH", f"{CONTACTS}/1001", {"properties": {"firstname": "After"}})
    stale = hubspot.search_email("a@x.test").json()

    assert unseen == still_unseen == {"total": 0, "results": []}
    assert seen["total"] == 1
    assert stale["results"][0]["properties"]["firstname"] == "Before"
    clock.advance(30)
    fresh = hubspot.search_email("a@x.test").json()
    assert fresh["results"][0]["properties"]["firstname"] == "After"


def test_search_ors_groups_ands_filters_and_pages(
    hubspot: HubSpotHttp, sandbox_client: SandboxClient
) -> None:
    sandbox_client.configure("hubspot", search_lag_s=0)
    for n, name in enumerate(["Sara", "Omar", "Huda"]):
        hubspot.create(email=f"g{n}@x.test", firstname=name, country="AE" if n else "SA")

    def search(groups: list[list[dict[str, object]]], **extra: object) -> dict[str, object]:
        body = {"filterGroups": [{"filters": g} for g in groups], **extra}
        response = hubspot.call("POST", f"{CONTACTS}/search", body)
        assert response.status_code == 200, response.text
        result: dict[str, object] = response.json()
        return result

    def names(result: dict[str, object]) -> list[str]:
        return [r["properties"]["firstname"] for r in result["results"]]

    country = {"propertyName": "country", "operator": "EQ", "value": "ae"}
    omar = {"propertyName": "firstname", "operator": "IN", "values": ["OMAR"]}
    sara = {"propertyName": "firstname", "operator": "EQ", "value": "sara"}
    assert names(search([[country]])) == ["Omar", "Huda"]
    assert names(search([[country, omar]])) == ["Omar"]
    assert names(search([[omar], [sara]])) == ["Sara", "Omar"]
    page = search([], limit=2)
    assert page["paging"] == {"next": {"after": "2"}}
    assert names(search([], limit=2, after="2")) == ["Huda"]


def test_search_refuses_more_than_six_filter_groups(hubspot: HubSpotHttp) -> None:
    group = {"filters": [{"propertyName": "email", "operator": "HAS_PROPERTY"}]}

    response = hubspot.call("POST", f"{CONTACTS}/search", {"filterGroups": [group] * 7})

    assert response.status_code == 400


@pytest.mark.parametrize("token", [None, "someone-elses-token"])
def test_missing_or_wrong_token_is_401_and_writes_nothing(
    sandbox: BackgroundServer, sandbox_client: SandboxClient, token: str | None
) -> None:
    hubspot = HubSpotHttp(sandbox.base_url, token=token or "")
    if token is None:
        del hubspot.session.headers["Authorization"]

    response = hubspot.create(email="a@x.test")

    assert response.status_code == 401
    assert response.json()["category"] == "INVALID_AUTHENTICATION"
    assert sandbox_client.records("hubspot")["counts"]["contacts"] == 0


def test_191st_request_within_ten_seconds_is_429_with_limit_headers(
    hubspot: HubSpotHttp,
) -> None:
    hubspot.create(email="a@x.test")
    answers = [hubspot.call("GET", f"{CONTACTS}/1001") for _ in range(189)]

    refused = hubspot.call("GET", f"{CONTACTS}/1001")
    searched = hubspot.search_email("a@x.test")

    assert {a.status_code for a in answers} == {200}
    assert answers[-1].headers["X-HubSpot-RateLimit-Remaining"] == "0"
    assert answers[0].headers["X-HubSpot-RateLimit-Remaining"] == "188"
    assert refused.status_code == 429
    assert refused.headers["X-HubSpot-RateLimit-Max"] == "190"
    assert refused.headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
    body = refused.json()
    assert body == {**body, "status": "error", "errorType": "RATE_LIMIT"}
    assert body["policyName"] == "TEN_SECONDLY_ROLLING"
    assert body["message"] == "You have reached your ten_secondly_rolling limit."
    # Search has its own limit and is exempt from the ten-secondly one.
    assert searched.status_code == 200


def test_rolling_window_frees_a_slot_as_each_request_ages(
    on_manual_clock: tuple[HubSpotHttp, SandboxClient], clock: ManualClock
) -> None:
    hubspot, _ = on_manual_clock
    hubspot.create(email="a@x.test")
    clock.advance(5)
    for _ in range(189):
        hubspot.call("GET", f"{CONTACTS}/1001")

    clock.advance(4.9)
    at_9_9 = hubspot.call("GET", f"{CONTACTS}/1001")
    clock.advance(0.1)
    at_10 = hubspot.call("GET", f"{CONTACTS}/1001")
    then_again = hubspot.call("GET", f"{CONTACTS}/1001")

    assert (at_9_9.status_code, at_10.status_code, then_again.status_code) == (429, 200, 429)


def test_rate_limited_for_some_seconds_refuses_everything_then_recovers(
    on_manual_clock: tuple[HubSpotHttp, SandboxClient], clock: ManualClock
) -> None:
    hubspot, control = on_manual_clock
    control.configure("hubspot", rate_limited_for_s=10)

    during = [hubspot.create(email="a@x.test"), hubspot.search_email("a@x.test")]
    clock.advance(10)
    after = hubspot.create(email="a@x.test")

    assert [r.status_code for r in during] == [429, 429]
    assert during[0].headers["X-HubSpot-RateLimit-Remaining"] == "0"
    assert after.status_code == 201


def test_error_fault_answers_5xx_before_writing(
    hubspot: HubSpotHttp, sandbox_client: SandboxClient
) -> None:
    sandbox_client.set_faults("hubspot", error_rate=1.0)

    response = hubspot.upsert(("C1", {"email": "a@x.test"}))

    assert response.status_code in (502, 503)
    assert sandbox_client.records("hubspot")["counts"]["contacts"] == 0


def test_timeout_fault_hangs_then_answers_504_without_writing(
    hubspot: HubSpotHttp, sandbox_client: SandboxClient
) -> None:
    sandbox_client.set_faults("hubspot", timeout_rate=1.0, hang_s=0.2)

    response = hubspot.create(email="a@x.test")

    assert response.status_code == 504
    assert sandbox_client.records("hubspot")["counts"]["contacts"] == 0


def test_timeout_after_commit_writes_and_answers_too_late(
    hubspot: HubSpotHttp, sandbox_client: SandboxClient
) -> None:
    sandbox_client.set_faults("hubspot", timeout_after_commit_rate=1.0, hang_s=0.6)

    with pytest.raises(requests.ReadTimeout):
        hubspot.session.post(
            f"{hubspot.base}{CONTACTS}",
            json={"properties": {"email": "a@x.test"}},
            timeout=(2, 0.2),
        )

    assert sandbox_client.records("hubspot")["counts"]["contacts"] == 1


def test_reset_forgets_contacts_settings_and_requests(
    hubspot: HubSpotHttp, sandbox_client: SandboxClient
) -> None:
    sandbox_client.configure("hubspot", search_lag_s=30, burst=5)
    hubspot.create(email="a@x.test")

    sandbox_client.reset("hubspot")

    records = sandbox_client.records("hubspot")
    assert records["counts"] == {"contacts": 0, "archived": 0}
    assert records["requests"] == []
    settings = sandbox_client.overview()["hubspot"]["settings"]
    assert (settings["search_lag_s"], settings["burst"]) == (3.0, 190)
    assert hubspot.create(email="a@x.test").json()["id"] == "1001"
