"""The NetSuite stand-in behaves like SuiteTalk REST, spoken to with hand-signed raw requests."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from ez_pipelines.sandbox.client import SandboxClient
from ez_pipelines.sandbox.server import BackgroundServer
from ez_pipelines.settings import NetSuiteSettings
from tests.vendors.netsuite.support import (
    CUSTOMER,
    TIMEOUT,
    records_url,
    settings_for,
    signed,
    standin_of,
    token_signer,
)

BALANCED_JOURNAL = {
    "subsidiary": {"id": "1"},
    "tranDate": "2024-03-05",
    "memo": "Revenue BK200 2024-03-05",
    "line": {
        "items": [
            {"account": {"id": "1200"}, "debit": 100.05},
            {"account": {"id": "4000"}, "credit": 95.29},
            {"account": {"id": "2200"}, "credit": 4.76},
        ]
    },
}


@pytest.fixture
def settings(sandbox: BackgroundServer) -> NetSuiteSettings:
    return settings_for(sandbox)


def error_of(response: requests.Response) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    assert body["status"] == response.status_code
    detail: dict[str, Any] = body["o:errorDetails"][0]
    return detail


def held(sandbox: BackgroundServer, record_type: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = standin_of(sandbox).store.snapshot()[record_type]
    return records


def test_create_answers_204_with_the_absolute_location_of_the_new_record(
    sandbox: BackgroundServer, settings: NetSuiteSettings
) -> None:
    url = records_url(sandbox, "customer")

    created = signed(settings, "POST", url, {**CUSTOMER, "externalId": "CUS-0001"})

    assert created.status_code == 204
    assert created.content == b""
    location = created.headers["Location"]
    assert location.startswith(f"{url}/")
    read = signed(settings, "GET", location)
    assert read.status_code == 200
    assert read.json()["externalId"] == "CUS-0001"
    assert read.json()["id"] == location.rsplit("/", 1)[1]
    assert read.json()["links"] == [{"rel": "self", "href": location}]


@pytest.mark.parametrize(
    "wrong",
    [
        {"resource_owner_secret": "not-the-token-secret"},
        {"client_secret": "not-the-consumer-secret"},
        {"client_key": "someone-else"},
        {"resource_owner_key": "another-token"},
        {"realm": "OTHER_ACCOUNT"},
        {"signature_method": "HMAC-SHA1"},
        {"timestamp": str(int(time.time()) - 600)},
    ],
    ids=lambda wrong: next(iter(wrong)),
)
def test_a_request_not_signed_for_this_account_gets_401_and_stores_nothing(
    sandbox: BackgroundServer, settings: NetSuiteSettings, wrong: dict[str, str]
) -> None:
    signer = token_signer(settings, **wrong)

    response = signed(settings, "POST", records_url(sandbox, "customer"), CUSTOMER, signer=signer)

    assert response.status_code == 401
    assert error_of(response)["o:errorCode"] == "INVALID_LOGIN"
    assert held(sandbox, "customer") == []


def test_a_request_without_authorization_gets_401(sandbox: BackgroundServer) -> None:
    response = requests.get(records_url(sandbox, "customer"), timeout=TIMEOUT)

    assert response.status_code == 401
    assert error_of(response)["o:errorCode"] == "INVALID_LOGIN"


def test_a_query_parameter_changed_after_signing_breaks_the_signature(
    sandbox: BackgroundServer, settings: NetSuiteSettings
) -> None:
    prepared = requests.Request(
        "GET", records_url(sandbox, "customer"), params={"limit": "5"}, auth=token_signer(settings)
    ).prepare()
    prepared.url = (prepared.url or "").replace("limit=5", "limit=6")

    with requests.Session() as session:
        response = session.send(prepared, timeout=TIMEOUT)

    assert response.status_code == 401


def test_a_replayed_nonce_is_refused(sandbox: BackgroundServer, settings: NetSuiteSettings) -> None:
    prepared = requests.Request(
        "POST", records_url(sandbox, "customer"), json=CUSTOMER, auth=token_signer(settings)
    ).prepare()

    with requests.Session() as session:
        first = session.send(prepared, timeout=TIMEOUT)
        replay = session.send(prepared, timeout=TIMEOUT)

    assert first.status_code == 204
    assert replay.status_code == 401
    assert len(held(sandbox, "customer")) == 1


def test_signature_covers_the_url_as_sent_with_its_percent_escapes(
    sandbox: BackgroundServer, settings: NetSuiteSettings
) -> None:
    """A client that escapes the colon of `eid:` signs the escaped form; NetSuite checks it."""
    signed(settings, "PUT", records_url(sandbox, "customer", "eid:CUS-0001"), CUSTOMER)

    escaped = signed(settings, "GET", records_url(sandbox, "customer", "eid%3ACUS-0001"))

    assert escaped.status_code == 200
    assert escaped.json()["externalId"] == "CUS-0001"


def test_upserting_the_same_external_id_twice_keeps_one_record(
    sandbox: BackgroundServer, settings: NetSuiteSettings
) -> None:
    url = records_url(sandbox, "customer", "eid:CUS-0001")

    first = signed(settings, "PUT", url, CUSTOMER)
    second = signed(settings, "PUT", url, {"lastName": "Nasser"})

    assert (first.status_code, second.status_code) == (204, 204)
    assert first.headers["Location"] == second.headers["Location"]
    [record] = held(sandbox, "customer")
    assert record["externalId"] == "CUS-0001"
    assert (record["firstName"], record["lastName"]) == ("Layla", "Nasser")


def test_put_by_internal_id_is_refused_because_upsert_needs_an_external_id(
    sandbox: BackgroundServer, settings: NetSuiteSettings
) -> None:
    created = signed(settings, "POST", records_url(sandbox, "customer"), CUSTOMER)

    response = signed(settings, "PUT", created.headers["Location"], {"lastName": "Nasser"})

    assert response.status_code == 400
    assert "eid:" in error_of(response)["detail"]
    assert held(sandbox, "customer")[0]["lastName"] == "Haddad"


def test_patch_updates_by_internal_id(
    sandbox: BackgroundServer, settings: NetSuiteSettings
) -> None:
    created = signed(settings, "POST", records_url(sandbox, "customer"), CUSTOMER)

    response = signed(settings, "PATCH", created.headers["Location"], {"lastName": "Nasser"})

    assert response.status_code == 204
    assert held(sandbox, "customer")[0]["lastName"] == "Nasser"


def test_a_second_create_with_a_taken_external_id_is_refused(
    sandbox: BackgroundServer, settings: NetSuiteSettings
) -> None:
    url = records_url(sandbox, "customer")
    body = {**CUSTOMER, "externalId": "CUS-0001"}

    first = signed(settings, "POST", url, body)
    second = signed(settings, "POST", url, body)

    assert first.status_code == 204
    assert second.status_code == 400
    assert error_of(second)["o:errorPath"] == "externalId"
    assert len(held(sandbox, "customer")) == 1


def test_the_same_external_id_may_name_records_of_different_types(
    sandbox: BackgroundServer, settings: NetSuiteSettings
) -> None:
    customer = signed(settings, "PUT", records_url(sandbox, "customer", "eid:X-1"), CUSTOMER)
    journal = signed(
        settings, "PUT", records_url(sandbox, "journalEntry", "eid:X-1"), BALANCED_JOURNAL
    )

    assert (customer.status_code, journal.status_code) == (204, 204)


@pytest.mark.parametrize(
    ("record_type", "body", "code", "path"),
    [
        (
            "customer",
            {k: v for k, v in CUSTOMER.items() if k != "subsidiary"},
            "USER_ERROR",
            "subsidiary",
        ),
        ("customer", {**CUSTOMER, "email": "layla-at-example.com"}, "INVALID_CONTENT", "email"),
        ("customer", {"subsidiary": {"id": "1"}, "isPerson": False}, "USER_ERROR", "companyName"),
        (
            "journalEntry",
            {
                **BALANCED_JOURNAL,
                "line": {
                    "items": [
                        {"account": {"id": "1200"}, "debit": 100.05},
                        {"account": {"id": "4000"}, "credit": 100.04},
                    ]
                },
            },
            "USER_ERROR",
            "line.items",
        ),
        (
            "journalEntry",
            {
                **BALANCED_JOURNAL,
                "line": {
                    "items": [
                        {"account": {"id": "1200"}, "debit": 10, "credit": 10},
                        {"account": {"id": "4000"}, "credit": 0},
                    ]
                },
            },
            "USER_ERROR",
            "line.items[0]",
        ),
        ("invoice", {"memo": "no customer"}, "USER_ERROR", "entity"),
    ],
    ids=[
        "no-subsidiary",
        "bad-email",
        "company-without-name",
        "unbalanced",
        "both-sides",
        "invoice",
    ],
)
def test_content_netsuite_would_not_save_is_refused_with_the_field_path(
    sandbox: BackgroundServer,
    settings: NetSuiteSettings,
    record_type: str,
    body: dict[str, Any],
    code: str,
    path: str,
) -> None:
    response = signed(settings, "POST", records_url(sandbox, record_type), body)

    assert response.status_code == 400
    detail = error_of(response)
    assert (detail["o:errorCode"], detail["o:errorPath"]) == (code, path)
    assert held(sandbox, record_type) == []


def test_a_balanced_journal_is_kept(sandbox: BackgroundServer, settings: NetSuiteSettings) -> None:
    url = records_url(sandbox, "journalEntry", "eid:REVREC-BK200-20240305")

    response = signed(settings, "PUT", url, BALANCED_JOURNAL)

    assert response.status_code == 204
    assert held(sandbox, "journalEntry")[0]["externalId"] == "REVREC-BK200-20240305"


def test_a_body_that_is_not_json_is_invalid_content(
    sandbox: BackgroundServer, settings: NetSuiteSettings
) -> None:
    response = requests.post(
        records_url(sandbox, "customer"),
        data="firstName=Layla",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        auth=token_signer(settings),
        timeout=TIMEOUT,
    )

    assert response.status_code == 400
    assert error_of(response)["o:errorCode"] == "INVALID_CONTENT"


def test_reading_a_missing_record_or_type_is_404(
    sandbox: BackgroundServer, settings: NetSuiteSettings
) -> None:
    missing = signed(settings, "GET", records_url(sandbox, "customer", "eid:NOBODY"))
    no_type = signed(settings, "GET", records_url(sandbox, "spaceship", "1"))

    assert missing.status_code == 404
    assert error_of(missing)["o:errorCode"] == "NONEXISTENT_ID"
    assert no_type.status_code == 404


def test_listing_pages_through_records_and_filters_by_external_id(
    sandbox: BackgroundServer, settings: NetSuiteSettings
) -> None:
    for i in range(5):
        signed(settings, "PUT", records_url(sandbox, "customer", f"eid:CUS-{i:04d}"), CUSTOMER)
    url = records_url(sandbox, "customer")

    page = signed(settings, "GET", f"{url}?limit=2&offset=2").json()
    found = signed(settings, "GET", f'{url}/?q=externalId IS "CUS-0003"').json()

    assert (page["count"], page["totalResults"], page["offset"], page["hasMore"]) == (2, 5, 2, True)
    [item] = found["items"]
    target = signed(settings, "GET", records_url(sandbox, "customer", "eid:CUS-0003")).json()
    assert item["id"] == target["id"]


def test_more_requests_in_flight_than_the_limit_get_429_concurrency_limit_exceeded(
    sandbox: BackgroundServer, settings: NetSuiteSettings, sandbox_client: SandboxClient
) -> None:
    sandbox_client.configure("netsuite", max_in_flight=2)
    sandbox_client.set_faults("netsuite", latency_ms=400)
    url = records_url(sandbox, "customer")

    with ThreadPoolExecutor(max_workers=3) as pool:
        answers = list(pool.map(lambda _: signed(settings, "GET", url), range(3)))

    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200, 200, 429]
    refused = next(answer for answer in answers if answer.status_code == 429)
    assert error_of(refused)["o:errorCode"] == "CONCURRENCY_LIMIT_EXCEEDED"
    assert sandbox_client.stats("netsuite")["max_in_flight_seen"] == 3


def test_an_error_fault_answers_500_before_writing(
    sandbox: BackgroundServer, settings: NetSuiteSettings, sandbox_client: SandboxClient
) -> None:
    sandbox_client.set_faults("netsuite", error_rate=1.0)

    response = signed(settings, "PUT", records_url(sandbox, "customer", "eid:CUS-0001"), CUSTOMER)

    assert response.status_code == 500
    assert error_of(response)["o:errorCode"] == "UNEXPECTED_ERROR"
    assert held(sandbox, "customer") == []


def test_a_timeout_fault_hangs_without_writing_then_answers_504(
    sandbox: BackgroundServer, settings: NetSuiteSettings, sandbox_client: SandboxClient
) -> None:
    sandbox_client.set_faults("netsuite", timeout_rate=1.0, hang_s=0.3)
    started = time.monotonic()

    response = signed(settings, "PUT", records_url(sandbox, "customer", "eid:CUS-0001"), CUSTOMER)

    assert response.status_code == 504
    assert time.monotonic() - started >= 0.3
    assert held(sandbox, "customer") == []


def test_a_timeout_after_commit_keeps_the_write_though_the_caller_gave_up(
    sandbox: BackgroundServer, settings: NetSuiteSettings, sandbox_client: SandboxClient
) -> None:
    sandbox_client.set_faults("netsuite", timeout_after_commit_rate=1.0, hang_s=0.6)
    url = records_url(sandbox, "customer", "eid:CUS-0001")

    with pytest.raises(requests.ReadTimeout):
        requests.put(url, json=CUSTOMER, auth=token_signer(settings), timeout=(1.0, 0.2))

    assert [r["externalId"] for r in held(sandbox, "customer")] == ["CUS-0001"]


def test_latency_delays_every_answer(
    sandbox: BackgroundServer, settings: NetSuiteSettings, sandbox_client: SandboxClient
) -> None:
    sandbox_client.set_faults("netsuite", latency_ms=250)
    started = time.monotonic()

    signed(settings, "GET", records_url(sandbox, "customer", "eid:NOBODY"))

    assert time.monotonic() - started >= 0.25


def test_an_idempotency_key_on_a_synchronous_create_does_not_stop_a_duplicate(
    sandbox: BackgroundServer, settings: NetSuiteSettings
) -> None:
    key = {"X-NetSuite-Idempotency-Key": "cac827ea-3543-4cda-add2-bae634326c27"}
    url = records_url(sandbox, "customer")

    answers = [signed(settings, "POST", url, CUSTOMER, headers=key) for _ in range(2)]

    assert [a.status_code for a in answers] == [204, 204]
    assert len(held(sandbox, "customer")) == 2


def test_the_control_surface_lists_records_and_reset_forgets_them(
    sandbox: BackgroundServer, settings: NetSuiteSettings, sandbox_client: SandboxClient
) -> None:
    sandbox_client.configure("netsuite", max_in_flight=3)
    signed(settings, "PUT", records_url(sandbox, "customer", "eid:CUS-0001"), CUSTOMER)

    listed = sandbox_client.records("netsuite")
    sandbox_client.reset("netsuite")

    assert listed["counts"]["customer"] == 1
    assert listed["records"]["customer"][0]["externalId"] == "CUS-0001"
    assert sandbox_client.records("netsuite")["counts"]["customer"] == 0
    assert sandbox_client.overview()["netsuite"]["settings"] == {"max_in_flight": 5}
