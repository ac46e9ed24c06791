"""The dispatcher: claim due rows, map them, skip what the vendor already has, send the rest.

Each batch runs in short transactions around one vendor round: claim (write), build payloads
(read), push (no transaction open), settle each row (write). A crash anywhere leaves rows leased;
when the lease runs out they are claimed again and re-sent, which the vendor absorbs because every
push is an upsert keyed by our id.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ez_pipelines.canonical.db import Database
from ez_pipelines.clock import SYSTEM_CLOCK, Clock
from ez_pipelines.outbox.backoff import RetryPolicy, decide
from ez_pipelines.outbox.claims import Claim, claim_batch
from ez_pipelines.outbox.enqueue import enqueue
from ez_pipelines.outbox.errors import RecordMissing, SyncError
from ez_pipelines.outbox.leases import LeaseKeeper
from ez_pipelines.outbox.plan import classify
from ez_pipelines.outbox.projection import Outbound, Projection, Pushed, payload_json
from ez_pipelines.outbox.report import SyncReport
from ez_pipelines.outbox.settle import (
    RefUpdate,
    complete,
    forget_accepted_payload,
    record_failure,
)
from ez_pipelines.outbox.tables import PENDING, OutboxRow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Prepared:
    claim: Claim
    outbound: Outbound
    hash: str
    unchanged: bool


class Dispatcher:
    def __init__(
        self,
        db: Database,
        projection: Projection,
        *,
        policy: RetryPolicy | None = None,
        clock: Clock = SYSTEM_CLOCK,
        rng: random.Random | None = None,
        worker: str | None = None,
        batch_size: int = 100,
        lease_s: float = 120.0,
    ) -> None:
        self.db = db
        self.projection = projection
        self.policy = policy or RetryPolicy()
        self.clock = clock
        self.rng = rng or random.Random()
        self.worker = worker or f"worker-{uuid.uuid4().hex[:8]}"
        self.batch_size = batch_size
        self.lease_s = lease_s

    @property
    def name(self) -> str:
        return f"{self.projection.system}/{self.projection.entity}"

    def dispatch_batch(self) -> SyncReport:
        """Claim one batch of due rows and take each to done, retry or dead letter."""
        report = SyncReport()
        claims = claim_batch(
            self.db,
            system=self.projection.system,
            entity=self.projection.entity,
            worker=self.worker,
            limit=self.batch_size,
            lease_s=self.lease_s,
            now=self.clock.now(),
        )
        if not claims:
            return report
        report.claimed = len(claims)

        prepared, missing = self._prepare(claims)
        for claim in missing:
            self._fail(claim, RecordMissing(f"{claim.entity} {claim.record_id} not found"), report)

        to_send = [p for p in prepared if not p.unchanged]
        results: Mapping[str, Pushed | SyncError] = {}
        if to_send:
            with LeaseKeeper(self.db, claims, lease_s=self.lease_s, clock=self.clock):
                results = self.projection.push([p.outbound for p in to_send])
        for item in prepared:
            if item.unchanged:
                self._settle_success(item, None, report)
                continue
            result = results.get(item.claim.record_id)
            if result is None:
                result = SyncError(f"adapter returned no result for {item.claim.record_id}")
            if isinstance(result, Pushed):
                self._settle_success(item, result, report)
            else:
                self._fail(item.claim, result, report, payload_json(item.outbound.payload))

        log.info(
            "sync batch system=%s entity=%s claimed=%d created=%d updated=%d unchanged=%d "
            "linked=%d retried=%d dead=%d fenced=%d",
            self.projection.system,
            self.projection.entity,
            report.claimed,
            report.created,
            report.updated,
            report.unchanged,
            report.linked,
            report.retried,
            report.dead_lettered,
            report.fenced_out,
        )
        return report

    def drain(self, *, max_seconds: float, wait_for_retries: bool = True) -> SyncReport:
        """Dispatch batches until nothing is due; optionally wait for rows backing off.

        Stops after `max_seconds`, leaving the rest to the next run; nothing is lost by stopping.
        """
        total = SyncReport()
        started = self.clock.monotonic()
        while self.clock.monotonic() - started < max_seconds:
            report = self.dispatch_batch()
            total.add(report)
            if report.claimed:
                continue
            next_due = self.next_due_at()
            if next_due is None or not wait_for_retries:
                break
            remaining = max_seconds - (self.clock.monotonic() - started)
            wait = (next_due - self.clock.now()).total_seconds()
            if wait > remaining:
                break
            self.clock.sleep(min(max(wait, 0.01), remaining))
        return total

    def next_due_at(self) -> datetime | None:
        """When the earliest open row becomes claimable again, or None if none is open."""
        with self.db.read() as session:
            rows = session.execute(
                select(OutboxRow.next_attempt_at, OutboxRow.lease_expires_at).where(
                    OutboxRow.system == self.projection.system,
                    OutboxRow.entity == self.projection.entity,
                    OutboxRow.status == PENDING,
                )
            ).all()
        if not rows:
            return None
        return min(max(due, lease) if lease else due for due, lease in rows)

    def pending_count(self) -> int:
        with self.db.read() as session:
            count = session.scalar(
                select(func.count()).where(
                    OutboxRow.system == self.projection.system,
                    OutboxRow.entity == self.projection.entity,
                    OutboxRow.status == PENDING,
                )
            )
        return int(count or 0)

    def _prepare(self, claims: Sequence[Claim]) -> tuple[list[Prepared], list[Claim]]:
        with self.db.read() as session:
            changes = classify(session, self.projection, [c.record_id for c in claims])
        prepared, missing = [], []
        for claim, change in zip(claims, changes, strict=True):
            if change.payload is None or change.payload_hash is None:
                missing.append(claim)
                continue
            outbound = Outbound(
                claim.record_id,
                change.payload,
                vendor_id=change.vendor_id,
                vendor_key=change.vendor_key,
                previous_payload=change.previous_payload,
                siblings=change.siblings,
                tried_since=(
                    (claim.budget_started_at or claim.enqueued_at)
                    if claim.budget_attempts > 0
                    else None
                ),
            )
            unchanged = change.action == "unchanged"
            prepared.append(Prepared(claim, outbound, change.payload_hash, unchanged))
        return prepared, missing

    def _settle_success(self, item: Prepared, pushed: Pushed | None, report: SyncReport) -> None:
        """Close the row; `pushed` is None when the vendor already held the payload."""
        outcome, ref, payload = "unchanged", None, None
        if pushed is not None:
            outcome, payload = pushed.outcome, payload_json(item.outbound.payload)
        if pushed is not None and not pushed.released:
            ref = RefUpdate(
                pushed.vendor_id,
                self.projection.contract_version,
                item.hash,
                payload=payload,
                vendor_key=pushed.vendor_key,
            )
        with self.db.write() as session:
            accepted = complete(
                session,
                item.claim,
                outcome=outcome,
                now=self.clock.now(),
                ref=ref,
                payload=payload,
                released=pushed is not None and pushed.released,
            )
        if not accepted:
            self._fenced_out(item.claim, report)
            return
        report.count(outcome)

    def _fenced_out(self, claim: Claim, report: SyncReport) -> None:
        """Our lease ended before we settled: another worker may have sent a newer state, and our
        write, landing after it, may have put an older state back at the vendor. Forget what the
        vendor was last known to hold and queue the record again, so its current state is sent
        last."""
        report.fenced_out += 1
        with self.db.write() as session:
            forget_accepted_payload(session, claim)
            enqueue(
                session,
                system=claim.system,
                entity=claim.entity,
                record_id=claim.record_id,
                now=self.clock.now(),
            )
        log.warning(
            "late settle rejected, record queued again system=%s record=%s outbox_id=%d token=%d",
            claim.system,
            claim.record_id,
            claim.outbox_id,
            claim.token,
        )

    def _fail(
        self, claim: Claim, error: SyncError, report: SyncReport, payload: str | None = None
    ) -> None:
        now = self.clock.now()
        decision = decide(
            self.policy,
            error,
            attempts=claim.budget_attempts + 1,
            enqueued_at=claim.budget_started_at or claim.enqueued_at,
            now=now,
            rng=self.rng,
        )
        with self.db.write() as session:
            accepted = record_failure(session, claim, error, decision, now=now, payload=payload)
        if not accepted:
            self._fenced_out(claim, report)
            return
        kind = type(error).__name__
        report.errors[kind] = report.errors.get(kind, 0) + 1
        if decision.is_dead:
            report.dead_lettered += 1
            log.warning(
                "dead letter system=%s record=%s outbox_id=%d error=%s reason=%s",
                claim.system,
                claim.record_id,
                claim.outbox_id,
                kind,
                decision.dead_reason,
            )
        else:
            report.retried += 1
            log.info(
                "retry scheduled system=%s record=%s outbox_id=%d attempt=%d error=%s at=%s",
                claim.system,
                claim.record_id,
                claim.outbox_id,
                claim.attempts + 1,
                kind,
                decision.retry_at.isoformat() if decision.retry_at else None,
            )
