"""payments: provider facts, actions and refund requests

Existing payments get zero amounts and false flags: nothing was known of them before.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payment_actions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("payment_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_payment_actions_payment_id_payments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_actions")),
    )
    with op.batch_alter_table("payment_actions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payment_actions_payment_id"), ["payment_id"], unique=False
        )

    op.create_table(
        "refund_requests",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("payment_id", sa.String(length=64), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_refund_requests_amount_positive")),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_refund_requests_payment_id_payments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refund_requests")),
    )
    with op.batch_alter_table("refund_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_refund_requests_payment_id"), ["payment_id"], unique=False
        )

    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_ref", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("authorized_minor", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("voided_minor", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("known", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("approved", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("declined", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("canceled", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("expired", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("last_event_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("polled_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("recovered_by_poll", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.create_index("ix_payments_status_updated", ["status", "updated_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index("ix_payments_status_updated")
        batch_op.drop_column("recovered_by_poll")
        batch_op.drop_column("polled_at")
        batch_op.drop_column("last_event_at")
        batch_op.drop_column("expired")
        batch_op.drop_column("canceled")
        batch_op.drop_column("declined")
        batch_op.drop_column("approved")
        batch_op.drop_column("known")
        batch_op.drop_column("voided_minor")
        batch_op.drop_column("authorized_minor")
        batch_op.drop_column("source_ref")

    with op.batch_alter_table("refund_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refund_requests_payment_id"))

    op.drop_table("refund_requests")
    with op.batch_alter_table("payment_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_actions_payment_id"))

    op.drop_table("payment_actions")
