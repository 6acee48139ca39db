"""Indicator estimand: what an effect compares, its outcome, window, groups and adjustment.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COLUMNS = (
    ("estimand_kind", sa.String(32)),
    ("estimand_outcome", sa.String(255)),
    ("estimand_window", sa.String(255)),
    ("estimand_groups", sa.String(255)),
    ("estimand_adjusted_for", sa.Text()),
)


def upgrade() -> None:
    with op.batch_alter_table("indicator") as batch:
        for name, kind in COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("indicator") as batch:
        for name, _kind in reversed(COLUMNS):
            batch.drop_column(name)
