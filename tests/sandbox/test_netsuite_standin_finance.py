"""The NetSuite stand-in's finance records: invoices, credit memos and journal entries behave
like customers (upsert by external id, nsError answers, the concurrency limit), and a journal
that does not balance is refused the way NetSuite refuses it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from ez_pipelines.sandbox.client import SandboxClient
from ez_pipelines.sandbox.server import BackgroundServer
from ez_pipelines.settings import NetSuiteSettings
from tests.vendors.netsuite.support import records_url, settings_for, signed, standin_of

INVOICE = {
    "entity": {"id": "501"},
    "subsidiary": {"id": "1"},
    "tranDate": "2026-11-05",
    "item": {
        "items": [
            {"item": {"id": "101"}, "quantity": 3, "rate": 100.0, "amount": 300.0},
            {"item": {"id": "103"}, "quantity": 1, "rate": 15.0, "amount": 15.0},
        ]
    },
}
JOURNAL = {
    "subsidiary": {"id": "1"},
    "tranDate": "2026-11-05",
    "line": {
        "items": [
            {"account": {"id": "2410"}, "debit": 142.86, "memo": "Booking B-1"},
            {"account": {"id": "4010"}, "credit": 142.86, "memo": "Booking B-1"},
        ]
    },
}


@pytest.fixture
def settings(sandbox: BackgroundServer) -> NetSuiteSettings:
    return settings_for(sandbox)


def held(sandbox: BackgroundServer, record_type: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = standin_of(sandbox).store.snapshot()[record_type]
    return records


def test_an_invoice_upserted_again_is_updated_in_place_with_its_new_lines(
    sandbox: BackgroundServer, settings: NetSuiteSettings
) -> None:
    url = records_url(sandbox, "invoice", "eid:INV-B-1")
    first = signed(settings, "PUT", url, INVOICE)
    extended = {
        **INVOICE,
        "item": {"items": [*INVOICE["item"]["items"], INVOICE["item"]["items"][0]]},
    }  # type: ignore[index]

    second = signed(settings, "PUT", url, extended)

    assert (first.status_code, second.status_code) == (204, 204)
    assert first.headers["Location"] == second.headers["Location"]
    [invoice] = held(sandbox, "invoice")
    assert len(invoice["item"]["items"]) == 3


def test_a_credit_memo_is_created_from_an_invoice_the_account_holds(
    sandbox: BackgroundServer, settings: NetSuiteSettings
) -> None:
    invoice = signed(settings, "PUT", records_url(sandbox, "invoice", "eid:INV-B-1"), INVOICE)
    invoice_id = invoice.headers["Location"].rsplit("/", 1)[1]
    memo = {**INVOICE, "createdFrom": {"id": invoice_id}}

    kept = signed(settings, "PUT", records_url(sandbox, "creditMemo", "eid:CN-R-1"), memo)
    orphan = signed(
        settings,
        "PUT",
        records_url(sandbox, "creditMemo", "eid:CN-R-2"),
        {**memo, "createdFrom": {"id": "99999"}},
    )

    assert kept.status_code == 204
    assert orphan.status_code == 400
    detail = orphan.json()["o:errorDetails"][0]
    assert (detail["o:errorCode"], detail["o:errorPath"]) == ("INVALID_CONTENT", "createdFrom")
    assert [m["externalId"] for m in held(sandbox, "creditMemo")] == ["CN-R-1"]


def test_an_invoice_without_lines_is_refused(
    sandbox: BackgroundServer, settings: NetSuiteSettings
) -> None:
    body = {**INVOICE, "item": {"items": []}}

    response = signed(settings, "PUT", records_url(sandbox, "invoice", "eid:INV-B-2"), body)

    assert response.status_code == 400
    assert response.json()["o:errorDetails"][0]["o:errorPath"] == "item"
    assert held(sandbox, "invoice") == []


def test_an_unbalanced_journal_upsert_gets_an_nserror_and_changes_nothing(
    sandbox: BackgroundServer, settings: NetSuiteSettings
) -> None:
    url = records_url(sandbox, "journalEntry", "eid:REVREC-AED-20261105-01")
    signed(settings, "PUT", url, JOURNAL)
    lines = JOURNAL["line"]["items"]  # type: ignore[index]
    unbalanced = {**JOURNAL, "line": {"items": [lines[0], {**lines[1], "credit": 142.85}]}}

    response = signed(settings, "PUT", url, unbalanced)

    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"type", "title", "status", "o:errorDetails"}
    assert (body["title"], body["status"]) == ("Bad Request", 400)
    detail = body["o:errorDetails"][0]
    assert detail["o:errorCode"] == "USER_ERROR"
    assert detail["o:errorPath"] == "line.items"
    assert "out of balance" in detail["detail"]
    [journal] = held(sandbox, "journalEntry")
    assert journal["line"]["items"][1]["credit"] == 142.86


def test_journal_writes_count_against_the_concurrency_limit(
    sandbox: BackgroundServer, settings: NetSuiteSettings, sandbox_client: SandboxClient
) -> None:
    sandbox_client.configure("netsuite", max_in_flight=1)
    sandbox_client.set_faults("netsuite", latency_ms=300)

    def put(n: int) -> int:
        url = records_url(sandbox, "journalEntry", f"eid:REVREC-AED-20261105-{n:02d}")
        return signed(settings, "PUT", url, JOURNAL).status_code

    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = sorted(pool.map(put, range(2)))

    assert statuses == [204, 429]
    assert len(held(sandbox, "journalEntry")) == 1
