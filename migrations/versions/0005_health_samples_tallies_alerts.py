"""health: samples for charts, inbound tallies, alert states, indexes for the health queries

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "health_samples",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("integration", sa.String(length=32), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("queue_depth", sa.Integer(), nullable=False),
        sa.Column("dead_letters", sa.Integer(), nullable=False),
        sa.Column("error_rate", sa.Float(), nullable=True),
        sa.Column("p95_lag_s", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_health_samples")),
    )
    with op.batch_alter_table("health_samples", schema=None) as batch_op:
        batch_op.create_index(
            "ix_health_samples_integration_taken", ["integration", "taken_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_health_samples_taken_at"), ["taken_at"], unique=False)

    op.create_table(
        "inbound_tallies",
        sa.Column("system", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("system", "outcome", "hour", name=op.f("pk_inbound_tallies")),
    )
    op.create_table(
        "alert_states",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_alert_states")),
    )
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.create_index("ix_inbox_system_received", ["system", "received_at"], unique=False)
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbox_status_system",
            ["status", "system", "entity", "next_attempt_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_status_system")
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.drop_index("ix_inbox_system_received")
    op.drop_table("alert_states")
    op.drop_table("inbound_tallies")
    with op.batch_alter_table("health_samples", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_health_samples_taken_at"))
        batch_op.drop_index("ix_health_samples_integration_taken")
    op.drop_table("health_samples")
