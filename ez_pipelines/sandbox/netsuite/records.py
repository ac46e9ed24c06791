"""The records the NetSuite stand-in holds, and the rules NetSuite applies before keeping one.

Internal ids are NetSuite's; external ids are the caller's and unique per record type. Writes
replace the top-level fields they name and keep the rest, as an update or upsert does.
"""

from __future__ import annotations

import copy
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from ez_pipelines.sandbox.netsuite.nserror import (
    Refused,
    invalid_content,
    no_such_record,
    user_error,
)

RECORD_TYPES = (
    "customer",
    "invoice",
    "customerPayment",
    "creditMemo",
    "customerRefund",
    "journalEntry",
)
_BY_LOWER = {name.lower(): name for name in RECORD_TYPES}

# Body fields each record type cannot be saved without (references, `{"id": ...}`).
_REQUIRED_REFS = {
    "customer": ("subsidiary",),
    "invoice": ("entity",),
    "customerPayment": ("customer",),
    "creditMemo": ("entity",),
    "customerRefund": ("customer",),
    "journalEntry": ("subsidiary",),
}
CENT = Decimal("0.01")
_EXTERNAL_ID = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_READ_ONLY = ("id", "links")

Record = dict[str, Any]


def record_type_named(name: str) -> str:
    """The record type `name` denotes; NetSuite reads record type names case-insensitively."""
    record_type = _BY_LOWER.get(name.lower())
    if record_type is None:
        raise Refused(404, "INVALID_RCRD_TYPE", f"Record type '{name}' does not exist.")
    return record_type


def external_id_of(ref: str) -> str | None:
    return ref[4:] if ref.startswith("eid:") else None


class RecordStore:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._records: dict[str, dict[str, Record]] = {name: {} for name in RECORD_TYPES}
        self._by_external_id: dict[str, dict[str, str]] = {name: {} for name in RECORD_TYPES}
        self._last_id = 100

    def find(self, record_type: str, ref: str) -> Record | None:
        """The record at an internal id or an `eid:` reference, or None."""
        external_id = external_id_of(ref)
        internal_id = (
            self._by_external_id[record_type].get(external_id) if external_id is not None else ref
        )
        if internal_id is None:
            return None
        return self._records[record_type].get(internal_id)

    def create(self, record_type: str, body: Record) -> str:
        """Insert a record; an `externalId` in the body must not be taken yet."""
        external_id = body.get("externalId")
        if external_id is not None:
            self._check_external_id(record_type, external_id, owner=None)
        return self._save(record_type, None, body)

    def upsert(self, record_type: str, external_id: str, body: Record) -> tuple[str, bool]:
        """Create or update the record with `external_id`; True when it was created."""
        if not _EXTERNAL_ID.match(external_id):
            raise invalid_content(f"Invalid external ID: {external_id}.")
        if body.get("externalId", external_id) != external_id:
            raise invalid_content(
                "The external ID in the body differs from the one in the URL.", path="externalId"
            )
        existing = self.find(record_type, f"eid:{external_id}")
        owner = existing["id"] if existing else None
        internal_id = self._save(record_type, owner, {**body, "externalId": external_id})
        return internal_id, existing is None

    def update(self, record_type: str, ref: str, body: Record) -> str:
        existing = self.find(record_type, ref)
        if existing is None:
            raise no_such_record()
        if "externalId" in body:
            self._check_external_id(record_type, body["externalId"], owner=existing["id"])
        return self._save(record_type, existing["id"], body)

    def delete(self, record_type: str, ref: str) -> None:
        existing = self.find(record_type, ref)
        if existing is None:
            raise no_such_record()
        del self._records[record_type][existing["id"]]
        if existing.get("externalId") is not None:
            self._by_external_id[record_type].pop(existing["externalId"], None)

    def matching(self, record_type: str, external_id: str | None) -> list[str]:
        """Internal ids in creation order, only the one with `external_id` when given."""
        if external_id is not None:
            found = self._by_external_id[record_type].get(external_id)
            return [found] if found else []
        return list(self._records[record_type])

    def snapshot(self) -> dict[str, list[Record]]:
        return {name: copy.deepcopy(list(held.values())) for name, held in self._records.items()}

    def counts(self) -> dict[str, int]:
        return {name: len(held) for name, held in self._records.items()}

    def _save(self, record_type: str, internal_id: str | None, body: Record) -> str:
        fields = {k: v for k, v in body.items() if k not in _READ_ONLY}
        current = self._records[record_type].get(internal_id, {}) if internal_id else {}
        merged = {**copy.deepcopy(current), **copy.deepcopy(fields)}
        validate(record_type, merged)
        if record_type == "creditMemo":
            self._check_created_from(merged)

        if internal_id is None:
            self._last_id += 1
            internal_id = str(self._last_id)
        old_external_id = current.get("externalId")
        if old_external_id is not None:
            self._by_external_id[record_type].pop(old_external_id, None)
        merged["id"] = internal_id
        self._records[record_type][internal_id] = merged
        if merged.get("externalId") is not None:
            self._by_external_id[record_type][merged["externalId"]] = internal_id
        return internal_id

    def _check_created_from(self, record: Record) -> None:
        """A credit memo created from an invoice must name an invoice the account holds."""
        source = record.get("createdFrom")
        if source is None:
            return
        if not isinstance(source, dict) or str(source.get("id")) not in self._records["invoice"]:
            raise invalid_content(
                "You have entered an Invalid Field Value for the following field: createdFrom",
                path="createdFrom",
            )

    def _check_external_id(self, record_type: str, external_id: Any, owner: str | None) -> None:
        if not isinstance(external_id, str) or not _EXTERNAL_ID.match(external_id):
            raise invalid_content(f"Invalid external ID: {external_id}.", path="externalId")
        holder = self._by_external_id[record_type].get(external_id)
        if holder is not None and holder != owner:
            raise user_error(
                f"A record with the external ID {external_id} already exists.", path="externalId"
            )


def validate(record_type: str, record: Record) -> None:
    """Refuse a record NetSuite would not save, naming the field the way its errors do."""
    for field in _REQUIRED_REFS[record_type]:
        ref = record.get(field)
        if not isinstance(ref, dict) or not ref.get("id"):
            raise user_error(f"Please enter value(s) for: {field}.", path=field)
    if record_type == "customer":
        _validate_customer(record)
    elif record_type == "journalEntry":
        _validate_journal(record)
    elif record_type in ("invoice", "creditMemo"):
        _validate_items(record)


def _validate_customer(record: Record) -> None:
    email = record.get("email")
    if email not in (None, "") and not (isinstance(email, str) and _EMAIL.match(email)):
        raise invalid_content(
            "You have entered an Invalid Field Value for the following field: email", path="email"
        )
    if record.get("isPerson") is True:
        if not (record.get("firstName") or record.get("lastName")):
            raise user_error("Please enter value(s) for: First Name, Last Name.", path="lastName")
    elif not record.get("companyName"):
        raise user_error("Please enter value(s) for: Company Name.", path="companyName")


def _validate_journal(record: Record) -> None:
    lines = record.get("line", {}).get("items") if isinstance(record.get("line"), dict) else None
    if not isinstance(lines, list) or len(lines) < 2:
        raise user_error("A journal entry needs at least two lines.", path="line.items")
    debits = credits = Decimal(0)
    for index, line in enumerate(lines):
        path = f"line.items[{index}]"
        if not isinstance(line, dict):
            raise invalid_content("A journal line must be an object.", path=path)
        account = line.get("account")
        if not isinstance(account, dict) or not account.get("id"):
            raise user_error("Please enter value(s) for: Account.", path=f"{path}.account")
        debit, credit = _amount(line, "debit", path), _amount(line, "credit", path)
        if (debit > 0) == (credit > 0):
            raise user_error("Each line takes either a debit or a credit amount.", path=path)
        debits += debit
        credits += credit
    if debits != credits:
        raise user_error(
            f"The transaction is out of balance: debits {debits} and credits {credits}.",
            path="line.items",
        )


def _validate_items(record: Record) -> None:
    """Invoices and credit memos carry their lines in the `item` sublist, each naming an item."""
    sublist = record.get("item")
    items = sublist.get("items") if isinstance(sublist, dict) else None
    if not isinstance(items, list) or not items:
        raise user_error("You must enter at least one line item for this transaction.", path="item")
    for index, line in enumerate(items):
        path = f"item.items[{index}]"
        if not isinstance(line, dict):
            raise invalid_content("An item line must be an object.", path=path)
        item = line.get("item")
        if not isinstance(item, dict) or not item.get("id"):
            raise user_error("Please enter value(s) for: Item.", path=f"{path}.item")
        _amount(line, "amount", path)


def _amount(line: Record, field: str, path: str) -> Decimal:
    value = line.get(field, 0)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise invalid_content(f"Invalid amount in {field}.", path=f"{path}.{field}")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise invalid_content(f"Invalid amount in {field}.", path=f"{path}.{field}") from None
    if not amount.is_finite() or amount < 0:
        raise invalid_content(f"Invalid amount in {field}.", path=f"{path}.{field}")
    if amount != amount.quantize(CENT):
        # The account's currency (AED) has two decimals; NetSuite refuses a finer amount.
        raise invalid_content(
            f"Invalid amount in {field}: {value} has more decimals than the currency allows.",
            path=f"{path}.{field}",
        )
    # NetSuite keeps amounts to the cent; comparing at that precision is what it balances on.
    return amount
