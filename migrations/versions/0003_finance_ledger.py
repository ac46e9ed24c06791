"""finance: credit notes, the daily revenue ledger, revenue journals and their audit

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "revenue_days",
        sa.Column("booking_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("opening_minor", sa.BigInteger(), nullable=False),
        sa.Column("invoiced_minor", sa.BigInteger(), nullable=False),
        sa.Column("recognised_minor", sa.BigInteger(), nullable=False),
        sa.Column("refunded_minor", sa.BigInteger(), nullable=False),
        sa.Column("closing_minor", sa.BigInteger(), nullable=False),
        sa.Column("ended", sa.Boolean(), nullable=False),
        sa.Column("journal_id", sa.String(length=64), nullable=True),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("booking_id", "day", name=op.f("pk_revenue_days")),
    )
    with op.batch_alter_table("revenue_days", schema=None) as batch_op:
        batch_op.create_index("ix_revenue_days_day", ["day"], unique=False)

    op.create_table(
        "revenue_journal_audit",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("journal_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("change", sa.String(length=16), nullable=False),
        sa.Column("old_credit_minor", sa.BigInteger(), nullable=False),
        sa.Column("new_credit_minor", sa.BigInteger(), nullable=False),
        sa.Column("old_lines", sa.Text(), nullable=False),
        sa.Column("new_lines", sa.Text(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revenue_journal_audit")),
    )
    with op.batch_alter_table("revenue_journal_audit", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_revenue_journal_audit_journal_id"), ["journal_id"], unique=False
        )

    op.create_table(
        "revenue_journals",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.Column("debit_minor", sa.BigInteger(), nullable=False),
        sa.Column("credit_minor", sa.BigInteger(), nullable=False),
        sa.Column("lines", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revenue_journals")),
    )
    with op.batch_alter_table("revenue_journals", schema=None) as batch_op:
        batch_op.create_index("ix_revenue_journals_day", ["day"], unique=False)

    op.create_table(
        "revenue_partitions",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("bookings", sa.Integer(), nullable=False),
        sa.Column("journals", sa.Integer(), nullable=False),
        sa.Column("recognised_minor", sa.BigInteger(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_revenue_partitions")),
    )
    op.create_table(
        "credit_notes",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("invoice_id", sa.String(length=64), nullable=False),
        sa.Column("booking_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("refund_id", sa.String(length=64), nullable=True),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("vat_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["bookings.id"], name=op.f("fk_credit_notes_booking_id_bookings")
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_credit_notes_invoice_id_invoices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_notes")),
        sa.UniqueConstraint("refund_id", name=op.f("uq_credit_notes_refund_id")),
    )
    with op.batch_alter_table("credit_notes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_credit_notes_booking_id"), ["booking_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_credit_notes_invoice_id"), ["invoice_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("credit_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_notes_invoice_id"))
        batch_op.drop_index(batch_op.f("ix_credit_notes_booking_id"))

    op.drop_table("credit_notes")
    op.drop_table("revenue_partitions")
    with op.batch_alter_table("revenue_journals", schema=None) as batch_op:
        batch_op.drop_index("ix_revenue_journals_day")

    op.drop_table("revenue_journals")
    with op.batch_alter_table("revenue_journal_audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_revenue_journal_audit_journal_id"))

    op.drop_table("revenue_journal_audit")
    with op.batch_alter_table("revenue_days", schema=None) as batch_op:
        batch_op.drop_index("ix_revenue_days_day")

    op.drop_table("revenue_days")
