"""What each source file read covers: its complete months, areas and categories.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("etl_run_source") as batch:
        batch.add_column(sa.Column("coverage_first_month", sa.Date(), nullable=True))
        batch.add_column(sa.Column("coverage_last_month", sa.Date(), nullable=True))
        batch.add_column(sa.Column("coverage_areas", sa.Text(), nullable=False, server_default=""))
        batch.add_column(
            sa.Column("coverage_categories", sa.Text(), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("etl_run_source") as batch:
        for name in (
            "coverage_categories",
            "coverage_areas",
            "coverage_last_month",
            "coverage_first_month",
        ):
            batch.drop_column(name)
