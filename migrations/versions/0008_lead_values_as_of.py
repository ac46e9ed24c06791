"""leads: when each value a CRM changes one at a time became true

HubSpot sends a contact's property changes one event each, at least once and in no set order:
a retried older change must not overwrite a newer one. Each lead record keeps, per value, the
instant its source gave for it.

Revision ID: 0008_lead_as_of
Revises: 0007_leads
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_lead_as_of"
down_revision = "0007_leads"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("values_as_of", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_column("values_as_of")
