"""leads: unified leads, the review queue, and what each channel record needs for matching

Existing lead records get no phone status: the next unification reads their raw numbers again.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_BIG_INT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "unified_leads",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("email_key", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("hubspot_contact_id", sa.String(length=64), nullable=True),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_unified_leads_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unified_leads")),
        sa.UniqueConstraint("email_key", name=op.f("uq_unified_leads_email_key")),
    )
    with op.batch_alter_table("unified_leads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unified_leads_phone"), ["phone"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_unified_leads_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "lead_reviews",
        sa.Column("id", _BIG_INT, nullable=False),
        sa.Column("left_lead_id", _BIG_INT, nullable=False),
        sa.Column("right_lead_id", _BIG_INT, nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "left_lead_id < right_lead_id", name=op.f("ck_lead_reviews_pair_ordered")
        ),
        sa.ForeignKeyConstraint(
            ["left_lead_id"], ["leads.id"], name=op.f("fk_lead_reviews_left_lead_id_leads")
        ),
        sa.ForeignKeyConstraint(
            ["right_lead_id"], ["leads.id"], name=op.f("fk_lead_reviews_right_lead_id_leads")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_reviews")),
        sa.UniqueConstraint(
            "left_lead_id", "right_lead_id", name=op.f("uq_lead_reviews_left_lead_id_right_lead_id")
        ),
    )
    with op.batch_alter_table("lead_reviews", schema=None) as batch_op:
        batch_op.create_index("ix_lead_reviews_status_opened", ["status", "opened_at"])

    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("given_name", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("family_name", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("phone_status", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("region", sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column("person_id", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_leads_person_id"), ["person_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_leads_person_id_unified_leads"), "unified_leads", ["person_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_leads_person_id_unified_leads"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_leads_person_id"))
        batch_op.drop_column("person_id")
        batch_op.drop_column("region")
        batch_op.drop_column("phone_status")
        batch_op.drop_column("family_name")
        batch_op.drop_column("given_name")

    with op.batch_alter_table("lead_reviews", schema=None) as batch_op:
        batch_op.drop_index("ix_lead_reviews_status_opened")
    op.drop_table("lead_reviews")

    with op.batch_alter_table("unified_leads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unified_leads_customer_id"))
        batch_op.drop_index(batch_op.f("ix_unified_leads_phone"))
    op.drop_table("unified_leads")
