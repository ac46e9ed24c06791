"""leads: review questions and answers name their records by source and source id

A recompute may give channel records new `leads.id` values (read again from the inbox after a
wipe); a person's answer must still hold. Existing rows are rewritten from the records they
point at, each pair ordered by (source, source id).

Revision ID: 0007_leads
Revises: 0006_health
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_leads"
down_revision = "0006_health"
branch_labels = None
depends_on = None

_BIG_INT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_KEYS = ("left_source", "left_ref", "right_source", "right_ref")
_UNIQUE = "uq_lead_reviews_left_source_left_ref_right_source_right_ref"


def upgrade() -> None:
    with op.batch_alter_table("lead_reviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("left_source", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("left_ref", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("right_source", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("right_ref", sa.String(length=128), nullable=True))

    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT r.id, l.source, l.source_ref, g.source, g.source_ref FROM lead_reviews r"
            " JOIN leads l ON l.id = r.left_lead_id JOIN leads g ON g.id = r.right_lead_id"
        )
    ).all()
    for review_id, *sides in rows:
        (left_source, left_ref), (right_source, right_ref) = sorted(
            [(sides[0], sides[1]), (sides[2], sides[3])]
        )
        connection.execute(
            sa.text(
                "UPDATE lead_reviews SET left_source = :ls, left_ref = :lr,"
                " right_source = :rs, right_ref = :rr WHERE id = :id"
            ),
            {"ls": left_source, "lr": left_ref, "rs": right_source, "rr": right_ref,
             "id": review_id},
        )  # fmt: skip

    with op.batch_alter_table("lead_reviews", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("uq_lead_reviews_left_lead_id_right_lead_id"), type_="unique")
        batch_op.drop_constraint(op.f("fk_lead_reviews_left_lead_id_leads"), type_="foreignkey")
        batch_op.drop_constraint(op.f("fk_lead_reviews_right_lead_id_leads"), type_="foreignkey")
        batch_op.drop_constraint(op.f("ck_lead_reviews_pair_ordered"), type_="check")
        batch_op.drop_column("left_lead_id")
        batch_op.drop_column("right_lead_id")
        for name in _KEYS:
            batch_op.alter_column(name, nullable=False)
        batch_op.create_unique_constraint(op.f(_UNIQUE), list(_KEYS))


def downgrade() -> None:
    with op.batch_alter_table("lead_reviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("left_lead_id", _BIG_INT, nullable=True))
        batch_op.add_column(sa.Column("right_lead_id", _BIG_INT, nullable=True))

    connection = op.get_bind()
    # A pair whose records are not in `leads` any more cannot be kept by row id.
    connection.execute(
        sa.text(
            "DELETE FROM lead_reviews WHERE NOT EXISTS (SELECT 1 FROM leads l"
            " WHERE l.source = lead_reviews.left_source AND l.source_ref = lead_reviews.left_ref)"
            " OR NOT EXISTS (SELECT 1 FROM leads g WHERE g.source = lead_reviews.right_source"
            " AND g.source_ref = lead_reviews.right_ref)"
        )
    )
    rows = connection.execute(
        sa.text(
            "SELECT r.id, l.id, g.id FROM lead_reviews r"
            " JOIN leads l ON l.source = r.left_source AND l.source_ref = r.left_ref"
            " JOIN leads g ON g.source = r.right_source AND g.source_ref = r.right_ref"
        )
    ).all()
    for review_id, left, right in rows:
        connection.execute(
            sa.text("UPDATE lead_reviews SET left_lead_id = :l, right_lead_id = :r WHERE id = :id"),
            {"l": min(left, right), "r": max(left, right), "id": review_id},
        )

    with op.batch_alter_table("lead_reviews", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(_UNIQUE), type_="unique")
        for name in _KEYS:
            batch_op.drop_column(name)
        batch_op.alter_column("left_lead_id", nullable=False)
        batch_op.alter_column("right_lead_id", nullable=False)
        batch_op.create_unique_constraint(
            op.f("uq_lead_reviews_left_lead_id_right_lead_id"), ["left_lead_id", "right_lead_id"]
        )
        batch_op.create_foreign_key(
            op.f("fk_lead_reviews_left_lead_id_leads"), "leads", ["left_lead_id"], ["id"]
        )
        batch_op.create_foreign_key(
            op.f("fk_lead_reviews_right_lead_id_leads"), "leads", ["right_lead_id"], ["id"]
        )
        batch_op.create_check_constraint(
            op.f("ck_lead_reviews_pair_ordered"), "left_lead_id < right_lead_id"
        )
