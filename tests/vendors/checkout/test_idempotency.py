"""Idempotency keys: the same record always sends the same key, two records never share one."""

from __future__ import annotations

import uuid

import pytest

from ez_pipelines.vendors.checkout.idempotency import idempotency_key


def test_a_retry_of_the_same_payment_sends_the_same_key() -> None:
    assert idempotency_key("payment", "PAY-1") == idempotency_key("payment", "PAY-1")


def test_keys_are_pinned_so_a_deploy_never_changes_the_key_of_a_waiting_retry() -> None:
    # A changed namespace or recipe would give every row waiting for a retry a new key, and
    # a payment whose first answer was lost would be taken twice.
    assert idempotency_key("payment", "PAY-1") == "6e74f34f-6a94-5a85-b688-2fdcf9cd1909"
    assert idempotency_key("refund", "RF-1") == "e9880b22-20ac-5ba1-a4af-60cd90a02f58"


def test_different_records_never_share_a_key() -> None:
    ids = [f"PAY-{n}" for n in range(2000)]
    keys = {idempotency_key("payment", record_id) for record_id in ids}

    assert len(keys) == len(ids)


def test_a_payment_and_a_refund_with_the_same_id_get_different_keys() -> None:
    kinds = ("payment", "refund", "capture", "void")
    keys = {idempotency_key(kind, "X-1") for kind in kinds}  # type: ignore[arg-type]

    assert len(keys) == len(kinds)


def test_keys_are_uuids_as_checkout_recommends() -> None:
    key = idempotency_key("payment", "PAY-1")

    assert str(uuid.UUID(key)) == key


def test_no_key_without_a_record_id() -> None:
    with pytest.raises(ValueError):
        idempotency_key("payment", "")
