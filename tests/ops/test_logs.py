"""Logs mask phones and emails and never carry secrets, whatever path a value takes into them."""

from __future__ import annotations

import logging

import pytest

from ez_pipelines.ops.logs import MaskingFilter, ensure_masking, mask_contact_points


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("call +971 50 123 4567 now", "call **********67 now"),
        ("sender 971501234567", "sender **********67"),
        ("00971501234567 typed", "************67 typed"),
        ("email Sara.Q@Example.COM here", "email S***@Example.COM here"),
        # Punctuation around a number does not hide it.
        ("the number +971501234567.", "the number **********67."),
        ("phone:0501234567", "phone:********67"),
        ("GET /contacts/971501234567", "GET /contacts/**********67"),
        # Timestamps, amounts and short ids are not phone numbers.
        ("at 2026-12-03 18:51:24 UTC", "at 2026-12-03 18:51:24 UTC"),
        ("ts=2026-12-03T18:51:24 id=12345", "ts=2026-12-03T18:51:24 id=12345"),
        ("amount 150000 fils", "amount 150000 fils"),
    ],
)
def test_contact_points_are_masked(text: str, expected: str) -> None:
    assert mask_contact_points(text) == expected


def test_a_process_that_never_configured_logging_gets_masked_logs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Dagster's code server and run workers import the definitions without our CLI."""
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])

    ensure_masking(secrets=["tok-SECRET-123"])
    logging.getLogger("ez_pipelines.test").warning("x@y.test +971501234567 tok-SECRET-123")

    err = capsys.readouterr().err
    assert "x***@y.test" in err and "**********67" in err
    assert "tok-SECRET-123" not in err and "+971501234567" not in err


def test_filter_masks_arguments_and_exceptions_and_removes_secrets(
    caplog: pytest.LogCaptureFixture,
) -> None:
    logger = logging.getLogger("test.masking")
    caplog.handler.addFilter(MaskingFilter(secrets=["tok-SECRET-123"]))

    logger.warning("customer %s phone %s token %s", "a@b.test", "+971501234567", "tok-SECRET-123")
    try:
        raise ValueError("bad phone 050 123 4567 with tok-SECRET-123")
    except ValueError:
        logger.exception("failed")

    text = caplog.text
    assert "tok-SECRET-123" not in text
    assert "+971501234567" not in text and "050 123 4567" not in text
    assert "a@b.test" not in text
    assert "***" in text
