"""A journal its day no longer needs leaves NetSuite under its external id, with an audit row;
and NetSuite refuses an amount finer than its currency's two decimals."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.models import Booking
from ez_pipelines.clock import ManualClock
from ez_pipelines.finance.ledger import recognise_day
from ez_pipelines.finance.tables import RevenueJournalChange
from ez_pipelines.outbox.dispatcher import Dispatcher
from ez_pipelines.outbox.errors import Permanent
from ez_pipelines.sandbox.netsuite.standin import NetSuiteStandIn
from ez_pipelines.vendors.netsuite.client import NetSuiteClient
from ez_pipelines.vendors.netsuite.contract_finance import FinanceRefs
from ez_pipelines.vendors.netsuite.sync_finance import NetSuiteRevenueJournals
from tests.finance.helpers import NOW, add_booking, dubai

DAY = date(2026, 11, 3)


def journals_held(netsuite: NetSuiteStandIn) -> list[str]:
    records: list[dict[str, Any]] = netsuite.store.snapshot()["journalEntry"]
    return sorted(str(r["externalId"]) for r in records)


def test_a_day_restated_to_empty_deletes_its_journal_at_netsuite(
    sqlite_db: Database, client: NetSuiteClient, clock: ManualClock, netsuite: NetSuiteStandIn
) -> None:
    add_booking(sqlite_db, "B-1", pickup_at=dubai(DAY), days=3, amount_minor=30_000)
    journals = NetSuiteRevenueJournals(client, subsidiary_id="1", refs=FinanceRefs())
    recognise_day(sqlite_db, DAY, max_lines=500, now=NOW)
    Dispatcher(sqlite_db, journals, clock=clock).dispatch_batch()
    posted = journals_held(netsuite)
    with sqlite_db.write() as session:
        booking = session.get(Booking, "B-1")
        assert booking is not None
        booking.status = "canceled"  # entered wrongly: it never happened

    empty = recognise_day(sqlite_db, DAY, max_lines=500, now=NOW)
    clock.advance(60)
    Dispatcher(sqlite_db, journals, clock=clock).dispatch_batch()
    clock.advance(60)
    Dispatcher(sqlite_db, journals, clock=clock).dispatch_batch()  # nothing left to send

    assert posted == ["REVREC-AED-20261103-01"]
    assert (empty.empty, empty.withdrawn) == (True, ["REVREC-AED-20261103-01"])
    assert journals_held(netsuite) == []
    deletes = [r for r in netsuite.received if r.method == "DELETE"]
    assert [d.path.rsplit("/", 1)[-1] for d in deletes] == ["eid:REVREC-AED-20261103-01"]
    with sqlite_db.read() as session:
        [audit] = session.scalars(select(RevenueJournalChange))
    assert (audit.change, audit.old_credit_minor, audit.new_credit_minor) == (
        "withdrawn",
        10_000,
        0,
    )


def test_deleting_a_journal_netsuite_no_longer_holds_is_done(client: NetSuiteClient) -> None:
    assert client.delete("journalEntry", "eid:REVREC-AED-20261103-09") is False


@pytest.mark.parametrize("amount", [100.005, "0.001"])
def test_an_amount_with_more_decimals_than_aed_has_is_refused(
    client: NetSuiteClient, netsuite: NetSuiteStandIn, amount: object
) -> None:
    body = {
        "subsidiary": {"id": "1"},
        "line": {
            "items": [
                {"account": {"id": "2410"}, "debit": amount},
                {"account": {"id": "4010"}, "credit": amount},
            ]
        },
    }

    with pytest.raises(Permanent, match="more decimals than the currency allows"):
        client.upsert("journalEntry", "REVREC-AED-20261103-01", body)

    assert journals_held(netsuite) == []
