"""`ez-pipelines deadletter`: a person lists, inspects, retries and discards dead letters."""

from __future__ import annotations

from sqlalchemy import select

from ez_pipelines.canonical.db import Database
from ez_pipelines.clock import SYSTEM_CLOCK
from ez_pipelines.outbox.backoff import Decision
from ez_pipelines.outbox.claims import claim_batch
from ez_pipelines.outbox.errors import Permanent, Unavailable
from ez_pipelines.outbox.settle import record_failure
from ez_pipelines.outbox.tables import DEAD, DISCARDED, PENDING, OutboxRow
from tests.cli.conftest import Invoke
from tests.outbox.helpers import add_customers, rename


def make_dead_letters(db: Database, count: int) -> list[int]:
    now = SYSTEM_CLOCK.now()
    add_customers(db, count, now)
    claims = claim_batch(
        db, system="netsuite", entity="customer", worker="w", limit=count, lease_s=60, now=now
    )
    with db.write() as session:
        for claim in claims:
            record_failure(
                session, claim, Unavailable("503", http_status=503), Decision(now), now=now
            )
    claims = claim_batch(
        db, system="netsuite", entity="customer", worker="w", limit=count, lease_s=60, now=now
    )
    with db.write() as session:
        for claim in claims:
            error = Permanent("INVALID_CONTENT: email", http_status=400)
            record_failure(session, claim, error, Decision(None, "permanent error"), now=now)
    return [claim.outbox_id for claim in claims]


def status_of(db: Database, outbox_id: int) -> str:
    with db.read() as session:
        return session.scalars(select(OutboxRow.status).where(OutboxRow.id == outbox_id)).one()


def test_list_shows_each_dead_letter_and_an_empty_queue_says_so(
    invoke: Invoke, sqlite_db: Database
) -> None:
    assert "no dead letters" in invoke("deadletter", "list").output
    ids = make_dead_letters(sqlite_db, 2)

    output = invoke("deadletter", "list", "--system", "netsuite").output

    for outbox_id, record in zip(ids, ["C-0000", "C-0001"], strict=True):
        assert any(line.split()[:2] == [str(outbox_id), "netsuite"] for line in output.splitlines())
        assert record in output
    assert "permanent error" in output
    assert "no dead letters" in invoke("deadletter", "list", "--system", "hubspot").output


def test_show_gives_every_attempt_and_the_payload(invoke: Invoke, sqlite_db: Database) -> None:
    (outbox_id,) = make_dead_letters(sqlite_db, 1)

    output = invoke("deadletter", "show", str(outbox_id)).output

    assert "netsuite customer C-0000" in output
    assert "2 attempts" in output
    assert "503" in output and "INVALID_CONTENT: email" in output
    rows = [line.split() for line in output.splitlines()]
    attempt_rows = [row for row in rows if row and row[0].isdigit()]
    assert [(row[0], row[3]) for row in attempt_rows] == [("1", "retryable"), ("2", "permanent")]


def test_retry_requeues_and_discard_closes(invoke: Invoke, sqlite_db: Database) -> None:
    first, second = make_dead_letters(sqlite_db, 2)

    retried = invoke("deadletter", "retry", str(first))
    discarded = invoke("deadletter", "discard", str(second), "--reason", "customer erased")

    assert retried.exit_code == 0 and discarded.exit_code == 0
    assert status_of(sqlite_db, first) == PENDING
    assert status_of(sqlite_db, second) == DISCARDED
    with sqlite_db.read() as session:
        row = session.get(OutboxRow, second)
        assert row is not None and "customer erased" in (row.dead_reason or "")


def test_unknown_dead_letter_is_a_clear_error(invoke: Invoke, sqlite_db: Database) -> None:
    make_dead_letters(sqlite_db, 1)
    runner_result = invoke("deadletter", "retry", "999")

    assert runner_result.exit_code == 1
    assert "no dead letter with id 999" in runner_result.output
    assert DEAD in {status_of(sqlite_db, 1)}


def test_retry_of_a_record_with_a_newer_open_row_folds_into_it_with_a_fresh_budget(
    invoke: Invoke, sqlite_db: Database
) -> None:
    (dead_id,) = make_dead_letters(sqlite_db, 1)
    rename(sqlite_db, "C-0000", "Newer", SYSTEM_CLOCK.now())
    with sqlite_db.read() as session:
        open_row = session.scalars(
            select(OutboxRow).where(OutboxRow.status == PENDING, OutboxRow.system == "netsuite")
        ).one()
    open_row_id = open_row.id

    output = invoke("deadletter", "retry", str(dead_id)).output

    assert f"dead letter {dead_id} folded into row {open_row_id}" in output
    assert status_of(sqlite_db, dead_id) == DISCARDED
    with sqlite_db.read() as session:
        row = session.get(OutboxRow, open_row_id)
        assert row is not None and row.status == PENDING
        assert row.budget_offset == row.attempts


def test_a_retried_dead_letter_keeps_numbering_its_attempts_but_gets_a_fresh_budget(
    invoke: Invoke, sqlite_db: Database
) -> None:
    (dead_id,) = make_dead_letters(sqlite_db, 1)

    invoke("deadletter", "retry", str(dead_id))
    (claim,) = claim_batch(
        sqlite_db,
        system="netsuite",
        entity="customer",
        worker="w",
        limit=1,
        lease_s=60,
        now=SYSTEM_CLOCK.now(),
    )

    assert (claim.outbox_id, claim.attempts, claim.budget_attempts) == (dead_id, 2, 0)
