"""Alerts that are heard once: one message when a subject turns amber or red, one when it
escalates from amber to red, one when it recovers.

A subject is anything that can fail: a check (of one partition), a run. What Slack was last
told about each subject is returned as `Delivery.told` for the caller to keep (the alert sensor
keeps it in its cursor), and changes only once Slack accepted the message, so a post that fails
is tried again on the next pass and a restart that resumes from the kept state repeats nothing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

log = logging.getLogger(__name__)

OK, AMBER, RED = "ok", "amber", "red"
_RANK = {OK: 0, AMBER: 1, RED: 2}
_CURSOR_VERSION = 1


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
    level: str
    """ok, amber (a warning) or red (an error)."""
    title: str
    detail: str
    link: str | None = None
    recovers: bool = True
    """False for subjects that never turn green again (a failed run): alerted once, ever."""

    def message(self, was: str) -> str:
        link = f"\n<{self.link}|Open the Dagster run>" if self.link else ""
        if self.level == RED and was == AMBER:
            return f":red_circle: *{self.title}* went from amber to red: {self.detail}{link}"
        if self.level == RED:
            return f":red_circle: *{self.title}* failed: {self.detail}{link}"
        if self.level == AMBER:
            return f":large_orange_circle: *{self.title}* warns: {self.detail}{link}"
        return f":large_green_circle: *{self.title}* recovered: {self.detail}{link}"


@dataclass
class Delivery:
    posted: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    unchanged: int = 0
    told: dict[str, str] = field(default_factory=dict)
    """What Slack now knows of every subject that is not ok: the state to keep."""


def due(signal: Signal, was: str) -> bool:
    """Whether Slack must hear of `signal`: worse than it was told, or recovered."""
    worse = _RANK[signal.level] > _RANK[was]
    recovered = signal.level == OK and was != OK and signal.recovers
    return worse or recovered


def deliver(signals: Sequence[Signal], told: Mapping[str, str], poster: Poster) -> Delivery:
    """Post every change of state in order, and say what Slack was told of each subject.

    A subject that improves without recovering (red to amber) is remembered without a message,
    so that turning red again is heard. Subjects no longer signalled are forgotten.
    """
    unique = list({s.key: s for s in signals}.values())
    delivery = Delivery()
    for signal in unique:
        was = told.get(signal.key, OK)
        if not due(signal, was):
            delivery.unchanged += 1
            delivery.told[signal.key] = signal.level if signal.recovers else was
            continue
        try:
            poster.post(signal.message(was))
        except AlertNotPosted as err:
            delivery.failed.append(signal.key)
            delivery.told[signal.key] = was
            log.warning("alert not posted key=%s state=%s error=%s", signal.key, signal.level, err)
            continue
        delivery.told[signal.key] = signal.level
        delivery.posted.append(signal.key)
        log.info("alert posted key=%s state=%s was=%s", signal.key, signal.level, was)
    delivery.told = {key: level for key, level in delivery.told.items() if level != OK}
    return delivery


def read_cursor(cursor: str | None) -> dict[str, str]:
    """The states kept in a cursor; an unreadable one is reported and read as nothing told."""
    if not cursor:
        return {}
    try:
        document = json.loads(cursor)
        told = document["told"] if document.get("version") == _CURSOR_VERSION else None
    except (ValueError, AttributeError, KeyError, TypeError):
        told = None
    if not isinstance(told, dict) or not all(
        isinstance(k, str) and v in _RANK for k, v in told.items()
    ):
        log.warning(
            "alert cursor unreadable (%d characters); starting from nothing told", len(cursor)
        )
        return {}
    return told


def write_cursor(told: Mapping[str, str]) -> str:
    return json.dumps({"version": _CURSOR_VERSION, "told": dict(sorted(told.items()))})
