"""The canonical tables: our own model of the business, in our own words.

Money is an integer count of minor units plus an ISO 4217 code; instants are UTC. No vendor's
field names appear here: each adapter maps these rows to its vendor's model.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ez_pipelines.canonical.base import Base, BigIntKey, RecordId, UtcDateTime

Minor = BigInteger


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(RecordId(), primary_key=True)
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    # `email` keeps what the customer typed (trimmed) for display; `email_key` is what we match on.
    email: Mapped[str | None] = mapped_column(String(254))
    email_key: Mapped[str | None] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(20), doc="E.164")
    phone_raw: Mapped[str | None] = mapped_column(String(64))
    country: Mapped[str | None] = mapped_column(String(2))
    loyalty_tier: Mapped[str] = mapped_column(String(16), default="standard")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


class Vehicle(Base):
    __tablename__ = "vehicles"

    id: Mapped[str] = mapped_column(RecordId(), primary_key=True)
    plate: Mapped[str] = mapped_column(String(16), unique=True)
    make: Mapped[str] = mapped_column(String(40))
    model: Mapped[str] = mapped_column(String(40))
    year: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Booking(Base):
    """A rental. `return_due_at` is the originally agreed end; extensions move it later."""

    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint("rental_amount_minor >= 0", name="rental_amount_not_negative"),
        CheckConstraint("return_due_at > pickup_at", name="ends_after_pickup"),
    )

    id: Mapped[str] = mapped_column(RecordId(), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    vehicle_id: Mapped[str | None] = mapped_column(ForeignKey("vehicles.id"))
    status: Mapped[str] = mapped_column(String(16), doc="reserved|active|returned|canceled")
    pickup_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    return_due_at: Mapped[datetime] = mapped_column(UtcDateTime())
    returned_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    rental_amount_minor: Mapped[int] = mapped_column(Minor)
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())

    extensions: Mapped[list[BookingExtension]] = relationship(
        order_by="BookingExtension.agreed_at", lazy="selectin"
    )
    charges: Mapped[list[Charge]] = relationship(order_by="Charge.incurred_at", lazy="selectin")


class BookingExtension(Base):
    __tablename__ = "booking_extensions"
    __table_args__ = (
        UniqueConstraint("booking_id", "extended_to"),
        CheckConstraint("amount_minor >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True, autoincrement=True)
    booking_id: Mapped[str] = mapped_column(ForeignKey("bookings.id"), index=True)
    extended_to: Mapped[datetime] = mapped_column(UtcDateTime())
    amount_minor: Mapped[int] = mapped_column(Minor)
    currency: Mapped[str] = mapped_column(String(3))
    agreed_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Charge(Base):
    """Anything billed on a booking beyond the rental itself: late returns, fuel, tolls."""

    __tablename__ = "charges"
    __table_args__ = (CheckConstraint("amount_minor >= 0", name="amount_not_negative"),)

    id: Mapped[str] = mapped_column(RecordId(), primary_key=True)
    booking_id: Mapped[str] = mapped_column(ForeignKey("bookings.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24), doc="late_return|fuel|damage|toll|delivery|other")
    description: Mapped[str] = mapped_column(String(200))
    amount_minor: Mapped[int] = mapped_column(Minor)
    currency: Mapped[str] = mapped_column(String(3))
    incurred_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Invoice(Base):
    __tablename__ = "invoices"

    id: Mapped[str] = mapped_column(RecordId(), primary_key=True)
    booking_id: Mapped[str] = mapped_column(ForeignKey("bookings.id"), unique=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(16), doc="draft|issued|paid|void")
    currency: Mapped[str] = mapped_column(String(3))
    issued_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())

    lines: Mapped[list[InvoiceLine]] = relationship(order_by="InvoiceLine.line_no", lazy="selectin")


class InvoiceLine(Base):
    __tablename__ = "invoice_lines"

    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"), primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), doc="rental|extension|late_return|charge|vat")
    description: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_amount_minor: Mapped[int] = mapped_column(Minor)
    amount_minor: Mapped[int] = mapped_column(Minor)
    vat_rate_bp: Mapped[int] = mapped_column(Integer, doc="VAT rate in basis points, 500 = 5%")
    vat_minor: Mapped[int] = mapped_column(Minor)


class Payment(Base):
    """A payment we asked a provider for, and what the provider has since told us about it.

    The amounts and flags are the joined facts of every event and poll (see `payments.state`);
    `status` is read off them. `amount_minor` is what we asked for.
    """

    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("provider", "provider_payment_id"),
        CheckConstraint("amount_minor >= 0", name="amount_not_negative"),
        Index("ix_payments_status_updated", "status", "updated_at"),
    )

    id: Mapped[str] = mapped_column(RecordId(), primary_key=True)
    booking_id: Mapped[str | None] = mapped_column(ForeignKey("bookings.id"), index=True)
    provider: Mapped[str] = mapped_column(String(24))
    provider_payment_id: Mapped[str | None] = mapped_column(String(64))
    source_ref: Mapped[str | None] = mapped_column(
        String(64), doc="the provider's id of the card on file the payment is taken from"
    )
    status: Mapped[str] = mapped_column(String(24))
    amount_minor: Mapped[int] = mapped_column(Minor)
    authorized_minor: Mapped[int] = mapped_column(Minor, default=0)
    captured_minor: Mapped[int] = mapped_column(Minor, default=0)
    refunded_minor: Mapped[int] = mapped_column(Minor, default=0)
    voided_minor: Mapped[int] = mapped_column(Minor, default=0)
    currency: Mapped[str] = mapped_column(String(3))
    known: Mapped[bool] = mapped_column(default=False)
    approved: Mapped[bool] = mapped_column(default=False)
    declined: Mapped[bool] = mapped_column(default=False)
    canceled: Mapped[bool] = mapped_column(default=False)
    expired: Mapped[bool] = mapped_column(default=False)
    last_event_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    polled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    recovered_by_poll: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class PaymentAction(Base):
    """An action the provider took on a payment: each capture and refund is recorded in
    NetSuite once, keyed by this id."""

    __tablename__ = "payment_actions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, doc="the provider's action id")
    payment_id: Mapped[str] = mapped_column(ForeignKey("payments.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), doc="capture|refund")
    amount_minor: Mapped[int] = mapped_column(Minor)
    currency: Mapped[str] = mapped_column(String(3))
    processed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())


class RefundRequest(Base):
    """A refund we ask the provider for; the provider's refund action answers it."""

    __tablename__ = "refund_requests"
    __table_args__ = (CheckConstraint("amount_minor > 0", name="amount_positive"),)

    id: Mapped[str] = mapped_column(RecordId(), primary_key=True)
    payment_id: Mapped[str] = mapped_column(ForeignKey("payments.id"), index=True)
    amount_minor: Mapped[int] = mapped_column(Minor)
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Lead(Base):
    """A prospect as one channel saw them; unification into people happens in `leads/`."""

    __tablename__ = "leads"
    __table_args__ = (UniqueConstraint("source", "source_ref"),)

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(16), doc="hubspot|crisp|whatsapp")
    source_ref: Mapped[str] = mapped_column(String(128))
    full_name: Mapped[str | None] = mapped_column(String(200))
    given_name: Mapped[str | None] = mapped_column(String(100), doc="when the channel splits it")
    family_name: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    email_key: Mapped[str | None] = mapped_column(String(254), index=True)
    phone_raw: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    phone_status: Mapped[str | None] = mapped_column(
        String(16), doc="valid|invalid|other_region; only a valid phone identifies anyone"
    )
    region: Mapped[str | None] = mapped_column(String(2), doc="the channel's expected region")
    person_id: Mapped[str | None] = mapped_column(
        ForeignKey("unified_leads.id"), index=True, doc="the unified lead it belongs to"
    )
    message_count: Mapped[int] = mapped_column(Integer, default=0)
    values_as_of: Mapped[str | None] = mapped_column(
        Text,
        doc="JSON: per value a CRM changes one at a time (email, phone, firstname, lastname), "
        "when the channel says it became true; an older change arriving later is not applied",
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ExternalRef(Base):
    """What one outside system holds for one of our records, as of its last accepted sync."""

    __tablename__ = "external_refs"
    __table_args__ = (Index("ix_external_refs_system_vendor_id", "system", "vendor_id"),)

    record_type: Mapped[str] = mapped_column(String(32), primary_key=True)
    record_id: Mapped[str] = mapped_column(RecordId(), primary_key=True)
    system: Mapped[str] = mapped_column(String(32), primary_key=True)
    vendor_id: Mapped[str] = mapped_column(String(64))
    vendor_key: Mapped[str | None] = mapped_column(
        String(254), doc="the key the vendor found the record by: an external id, a contact key"
    )
    contract_version: Mapped[str] = mapped_column(String(16))
    payload_hash: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str | None] = mapped_column(Text, doc="the last payload accepted, as JSON")
    synced_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ImportRejection(Base):
    """A row an import refused, kept so a person can fix and re-import it."""

    __tablename__ = "import_rejections"

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True, autoincrement=True)
    file_name: Mapped[str] = mapped_column(String(255))
    row_number: Mapped[int] = mapped_column(Integer)
    record_id: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    rejected_at: Mapped[datetime] = mapped_column(UtcDateTime())


# A lead's `person_id` points at the unified leads' table, which the leads package owns.
from ez_pipelines.leads import tables as _lead_tables  # noqa: E402, F401
