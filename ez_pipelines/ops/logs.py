"""Logging: one line per event, phones and emails masked, secrets never written.

Masking happens in a filter on the root handler, so a phone number that reaches a message by any
path (a vendor's error text, an exception) is masked before it is written anywhere.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable
from pathlib import Path

EMAIL = re.compile(r"([\w.+-])[\w.+-]*@([\w-]+(?:\.[\w-]+)+)")
# A run of 9 to 15 digits, optionally led by + or 00 and broken by spaces, dashes or brackets;
# never part of a longer word, decimal or timestamp. A sentence's full stop may follow it.
PHONE = re.compile(r"(?<![\w.+-])\+?\d[\d ()-]{7,22}\d(?![\w:/-]|[.,]\d)")
_MIN_PHONE_DIGITS = 9


def _mask_phone(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = [c for c in text if c.isdigit()]
    if not _MIN_PHONE_DIGITS <= len(digits) <= 15:
        return text
    return "*" * (len(digits) - 2) + "".join(digits[-2:])


def mask_contact_points(text: str) -> str:
    text = EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)
    return PHONE.sub(_mask_phone, text)


class MaskingFilter(logging.Filter):
    """Rewrites each record's message with contact points masked and secrets removed."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return mask_contact_points(text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info:
            message += "\n" + logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
            record.exc_text = None
        record.msg = self.scrub(message)
        record.args = None
        return True


def ensure_masking(secrets: Iterable[str] = ()) -> None:
    """Mask every handler of the root logger, adding one on stderr if there is none.

    For processes the command line does not start (Dagster's code server and run workers),
    so that what our modules log is masked there too.
    """
    root = logging.getLogger()
    if not root.handlers:
        configure_logging(logging.INFO, secrets=secrets)
        return
    for handler in root.handlers:
        if not any(isinstance(f, MaskingFilter) for f in handler.filters):
            handler.addFilter(MaskingFilter(secrets))


def configure_logging(
    level: int = logging.INFO,
    *,
    secrets: Iterable[str] = (),
    file: Path | None = None,
    console_level: int | None = None,
) -> None:
    """Log to stderr at `console_level` (default `level`) and, if given, to `file` at `level`."""
    masking = MaskingFilter(secrets)
    formatter = logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s", "%Y-%m-%dT%H:%M:%S"
    )
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(console_level if console_level is not None else level)
    handlers: list[logging.Handler] = [console]
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(file, encoding="utf-8"))
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
        existing.close()
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(masking)
        root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("urllib3", "uvicorn.access", "alembic.runtime.migration", "great_expectations"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
