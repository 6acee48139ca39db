"""Longer observation.period_grain (room for "evaluation", "quarter", ...).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("observation") as batch:
        batch.alter_column(
            "period_grain", existing_type=sa.String(8), type_=sa.String(16), existing_nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("observation") as batch:
        batch.alter_column(
            "period_grain", existing_type=sa.String(16), type_=sa.String(8), existing_nullable=False
        )
