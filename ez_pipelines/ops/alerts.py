"""Alerts that are heard once: one message when a subject turns red, one when it recovers.

A subject is anything that can fail: a check (of one partition), a run. What Slack was last
told about each subject is kept in `alert_states`, written only after Slack accepted the
message, so a post that fails is tried again on the next pass and a restart never repeats one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy import select

from ez_pipelines.canonical.db import Database
from ez_pipelines.ops.tables import AlertState

log = logging.getLogger(__name__)

RED, OK = "red", "ok"


class AlertNotPosted(Exception):
    """Slack did not take the message; it is tried again on the next pass."""


class Poster(Protocol):
    def post(self, text: str) -> None:
        """Post `text` to the alert channel, raising AlertNotPosted when it was not taken."""
        ...


@dataclass(frozen=True)
class Signal:
    """The current state of one subject."""

    key: str
    red: bool
    title: str
    detail: str
    link: str | None = None
    recovers: bool = True
    """False for subjects that never turn green again (a failed run): alerted once, ever."""

    def message(self) -> str:
        link = f"\n<{self.link}|Open the Dagster run>" if self.link else ""
        if self.red:
            return f":red_circle: *{self.title}* failed: {self.detail}{link}"
        return f":large_green_circle: *{self.title}* recovered: {self.detail}{link}"


@dataclass
class Delivery:
    posted: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    unchanged: int = 0


def changes(signals: Iterable[Signal], told: dict[str, str]) -> list[Signal]:
    """The signals whose state differs from what Slack was last told (nothing told means ok)."""
    due = []
    for signal in signals:
        was_red = told.get(signal.key, OK) == RED
        turned_red = signal.red and not was_red
        recovered = not signal.red and was_red and signal.recovers
        if turned_red or recovered:
            due.append(signal)
    return due


def told_states(db: Database, keys: Sequence[str]) -> dict[str, str]:
    if not keys:
        return {}
    with db.read() as session:
        rows = session.execute(
            select(AlertState.key, AlertState.state).where(AlertState.key.in_(keys))
        ).all()
    return {key: state for key, state in rows}


def deliver(db: Database, signals: Sequence[Signal], poster: Poster, *, now: datetime) -> Delivery:
    """Post every change of state, oldest subject first, and remember each one Slack took."""
    unique = list({s.key: s for s in signals}.values())
    due = changes(unique, told_states(db, [s.key for s in unique]))
    delivery = Delivery(unchanged=len(unique) - len(due))
    for signal in due:
        state = RED if signal.red else OK
        try:
            poster.post(signal.message())
        except AlertNotPosted as err:
            delivery.failed.append(signal.key)
            log.warning("alert not posted key=%s state=%s error=%s", signal.key, state, err)
            continue
        _remember(db, signal, state, now)
        delivery.posted.append(signal.key)
        log.info("alert posted key=%s state=%s", signal.key, state)
    return delivery


def _remember(db: Database, signal: Signal, state: str, now: datetime) -> None:
    with db.write() as session:
        row = session.get(AlertState, signal.key)
        if row is None:
            session.add(
                AlertState(key=signal.key, state=state, changed_at=now, summary=signal.detail)
            )
        else:
            row.state, row.changed_at, row.summary = state, now, signal.detail
