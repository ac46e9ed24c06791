"""The HubSpot client against the sandbox: request shapes, pacing and typed answers."""

from __future__ import annotations

import logging

import pytest

from ez_pipelines.outbox.errors import AuthenticationFailed, Permanent, RateLimited, Unavailable
from ez_pipelines.sandbox.client import SandboxClient
from ez_pipelines.sandbox.server import BackgroundServer
from ez_pipelines.settings import Settings
from ez_pipelines.vendors.hubspot.client import HubSpotClient
from ez_pipelines.vendors.hubspot.errors import ContactExists, ContactNotFound
from ez_pipelines.vendors.hubspot.models import UpdateInput, UpsertedContact, UpsertInput
from tests.vendors.hubspot.support import hubspot_client

BATCH_UPSERT = "/crm/v3/objects/contacts/batch/upsert"


@pytest.fixture
def client(sandbox: BackgroundServer) -> HubSpotClient:
    return hubspot_client(sandbox.base_url)


def requests_seen(sandbox_client: SandboxClient) -> list[dict[str, object]]:
    seen: list[dict[str, object]] = sandbox_client.records("hubspot")["requests"]
    return seen


def contact_input(n: int) -> UpsertInput:
    return UpsertInput(f"C{n}", {"email": f"guest{n}@x.test", "firstname": f"Guest {n}"})


def test_batch_upsert_sends_our_id_in_the_unique_id_property(
    client: HubSpotClient, sandbox_client: SandboxClient
) -> None:
    outcome = client.batch_upsert([UpsertInput("C1", {"email": "a@x.test", "firstname": "A"})])

    [request] = requests_seen(sandbox_client)
    assert (request["method"], request["path"]) == ("POST", BATCH_UPSERT)
    assert request["body"] == {
        "inputs": [
            {
                "id": "C1",
                "idProperty": "ez_contact_key",
                "properties": {"email": "a@x.test", "firstname": "A"},
            }
        ]
    }
    result = outcome.results["C1"]
    assert isinstance(result, UpsertedContact)
    assert result.new
    assert result.contact.properties["ez_contact_key"] == "C1"


def test_every_request_carries_the_token_as_bearer_and_never_in_the_url(
    client: HubSpotClient, sandbox_client: SandboxClient
) -> None:
    token = Settings.from_env().hubspot.token
    created = client.create_contact({"email": "a@x.test"})
    client.get_contact(created.id)
    client.get_contact("a@x.test", id_property="email")
    client.update_contact(created.id, {"firstname": "A"})
    client.batch_upsert([contact_input(1)])
    client.batch_update([UpdateInput(created.id, {"lastname": "B"})])
    client.search_by_email("a@x.test")

    seen = requests_seen(sandbox_client)
    assert len(seen) == 7
    assert {request["auth_scheme"] for request in seen} == {"Bearer"}
    assert not [r for r in seen if token in str(r["path"]) or token in str(r["query"])]


def test_250_inputs_travel_in_requests_of_at_most_100(
    client: HubSpotClient, sandbox_client: SandboxClient
) -> None:
    outcome = client.batch_upsert([contact_input(n) for n in range(250)])

    sizes = [len(r["body"]["inputs"]) for r in requests_seen(sandbox_client)]
    assert sizes == [100, 100, 50]
    assert outcome.requests == 3
    assert not outcome.errors()
    assert sandbox_client.records("hubspot")["counts"]["contacts"] == 250


def test_upserting_again_updates_the_same_contact(client: HubSpotClient) -> None:
    first = client.batch_upsert([contact_input(1)]).results["C1"]
    again = client.batch_upsert([UpsertInput("C1", {"firstname": "Renamed"})]).results["C1"]

    assert isinstance(first, UpsertedContact)
    assert isinstance(again, UpsertedContact)
    assert not again.new
    assert again.contact.id == first.contact.id
    assert again.contact.properties["firstname"] == "Renamed"


def test_partly_refused_batch_gives_each_input_its_own_answer(client: HubSpotClient) -> None:
    client.create_contact({"email": "taken@x.test"})

    outcome = client.batch_upsert(
        [
            contact_input(1),
            UpsertInput("C2", {"email": "not-an-email"}),
            UpsertInput("C3", {"email": "TAKEN@x.test"}),
        ]
    )

    assert isinstance(outcome.results["C1"], UpsertedContact)
    assert type(outcome.results["C2"]) is Permanent
    taken = outcome.results["C3"]
    assert isinstance(taken, ContactExists)
    assert taken.existing_id == "1001"


def test_batch_update_of_an_unknown_id_is_contact_not_found(client: HubSpotClient) -> None:
    created = client.create_contact({"email": "a@x.test"})

    outcome = client.batch_update(
        [UpdateInput(created.id, {"firstname": "A"}), UpdateInput("999999", {"firstname": "B"})]
    )

    assert outcome.results[created.id].properties["firstname"] == "A"
    assert isinstance(outcome.results["999999"], ContactNotFound)


def test_create_with_a_taken_email_names_the_existing_contact(client: HubSpotClient) -> None:
    client.create_contact({"email": "A@x.test"})

    with pytest.raises(ContactExists) as raised:
        client.create_contact({"email": "a@X.TEST"})

    assert raised.value.existing_id == "1001"


def test_contact_read_and_patched_by_id_property(client: HubSpotClient) -> None:
    client.batch_upsert([contact_input(7)])

    updated = client.update_contact("C7", {"lastname": "Seven"}, id_property="ez_contact_key")
    read = client.get_contact("guest7@x.test", id_property="email", properties=["lastname"])

    assert read.id == updated.id
    assert read.properties["lastname"] == "Seven"
    with pytest.raises(ContactNotFound):
        client.get_contact("424242")


def test_search_finds_an_email_whatever_its_case_once_indexed(
    client: HubSpotClient, sandbox_client: SandboxClient
) -> None:
    sandbox_client.configure("hubspot", search_lag_s=0)
    created = client.create_contact({"email": "Mixed.Case@x.test"})

    [found] = client.search_by_email("mixed.case@X.test")

    assert found.id == created.id


def test_refused_token_is_authentication_failed(sandbox: BackgroundServer) -> None:
    client = hubspot_client(sandbox.base_url, token="not-the-token")

    outcome = client.batch_upsert([contact_input(1)])

    assert isinstance(outcome.results["C1"], AuthenticationFailed)
    with pytest.raises(AuthenticationFailed):
        client.create_contact({"email": "a@x.test"})


def test_rate_limited_batch_waits_a_window_and_sends_no_further_chunks(
    client: HubSpotClient, sandbox_client: SandboxClient
) -> None:
    sandbox_client.configure("hubspot", rate_limited_for_s=60)

    outcome = client.batch_upsert([contact_input(n) for n in range(150)])

    assert outcome.requests == 1
    errors = list(outcome.results.values())
    assert len(errors) == 150
    assert all(error is errors[0] for error in errors)
    error = errors[0]
    assert isinstance(error, RateLimited)
    assert error.retry_after_s == 10.0
    assert error.vendor_code == "TEN_SECONDLY_ROLLING"


def test_vendor_5xx_is_unavailable(client: HubSpotClient, sandbox_client: SandboxClient) -> None:
    sandbox_client.set_faults("hubspot", error_rate=1.0)

    outcome = client.batch_upsert([contact_input(1)])

    error = outcome.results["C1"]
    assert isinstance(error, Unavailable)
    assert error.http_status in (502, 503)
    assert sandbox_client.records("hubspot")["counts"]["contacts"] == 0


def test_response_lost_to_the_read_timeout_is_unavailable(
    sandbox: BackgroundServer, sandbox_client: SandboxClient
) -> None:
    client = hubspot_client(sandbox.base_url, timeout=(1.0, 0.3))
    sandbox_client.set_faults("hubspot", timeout_after_commit_rate=1.0, hang_s=0.8)

    outcome = client.batch_upsert([contact_input(1)])

    assert isinstance(outcome.results["C1"], Unavailable)
    # The write happened although we never heard about it: why every write must be an upsert.
    assert sandbox_client.records("hubspot")["counts"]["contacts"] == 1


def test_client_paces_itself_under_the_burst_limit(
    sandbox: BackgroundServer, sandbox_client: SandboxClient
) -> None:
    sandbox_client.configure("hubspot", burst=5, window_s=0.5)
    # A little more window than HubSpot's, so arrival jitter on loopback cannot cross the line.
    client = hubspot_client(sandbox.base_url, burst=5, window_s=0.6)
    created = client.create_contact({"email": "a@x.test"})

    for n in range(11):
        client.update_contact(created.id, {"firstname": f"A{n}"})

    stats = sandbox_client.stats("hubspot")
    assert stats["responses"] == {"200": 11, "201": 1}


def test_logs_give_counts_and_ids_never_emails_or_the_token(
    client: HubSpotClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="ez_pipelines")

    client.batch_upsert([contact_input(1), UpsertInput("C2", {"email": "bad"})])
    with pytest.raises(ContactNotFound):
        client.get_contact("nobody@x.test", id_property="email")

    assert "hubspot batch upsert inputs=2 requests=1 ok=1 failed=1" in caplog.text
    assert "/crm/v3/objects/contacts/<email> -> 404" in caplog.text
    assert "@x.test" not in caplog.text
    assert client.settings.token not in caplog.text
