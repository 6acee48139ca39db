"""Published model: etl_run, etl_run_source, indicator, observation.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "etl_run",
        sa.Column("run_id", sa.String(40), primary_key=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("code_version", sa.String(64), nullable=False),
        sa.Column("message", sa.Text, nullable=True),
    )
    op.create_index("ix_etl_run_status", "etl_run", ["status"])
    op.create_table(
        "etl_run_source",
        sa.Column(
            "run_id",
            sa.String(40),
            sa.ForeignKey("etl_run.run_id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("source_id", sa.String(64), primary_key=True),
        sa.Column("location", sa.String(1024), primary_key=True),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("publisher", sa.String(255), nullable=False),
        sa.Column("licence", sa.Text, nullable=False),
        sa.Column("is_synthetic", sa.Boolean, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("rows_read", sa.Integer, nullable=False),
        sa.Column("rows_accepted", sa.Integer, nullable=False),
        sa.Column("rows_rejected", sa.Integer, nullable=False),
        sa.Column("watermark", sa.DateTime, nullable=True),
    )
    op.create_table(
        "indicator",
        sa.Column(
            "run_id",
            sa.String(40),
            sa.ForeignKey("etl_run.run_id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("indicator_id", sa.String(96), primary_key=True),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("methodology", sa.Text, nullable=False),
        sa.Column("source_ids", sa.String(255), nullable=False),
        sa.Column("suppression_rule", sa.Text, nullable=False),
        sa.Column("chart_kind", sa.String(32), nullable=False),
        sa.Column("caveats", sa.Text, nullable=False),
    )
    op.create_table(
        "observation",
        sa.Column("observation_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(40), nullable=False),
        sa.Column("indicator_id", sa.String(96), nullable=False),
        sa.Column("area", sa.String(64), nullable=False),
        sa.Column("period_start_date", sa.Date, nullable=False),
        sa.Column("period_grain", sa.String(8), nullable=False),
        sa.Column("breakdown_name", sa.String(64), nullable=False),
        sa.Column("breakdown_value", sa.String(128), nullable=False),
        sa.Column("value", sa.Float, nullable=True),
        sa.Column("lower_bound", sa.Float, nullable=True),
        sa.Column("upper_bound", sa.Float, nullable=True),
        sa.Column("denominator_n", sa.Integer, nullable=True),
        sa.Column("is_suppressed", sa.Boolean, nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id", "indicator_id"],
            ["indicator.run_id", "indicator.indicator_id"],
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_observation_lookup",
        "observation",
        ["run_id", "indicator_id", "area", "breakdown_value"],
    )


def downgrade() -> None:
    op.drop_index("ix_observation_lookup", table_name="observation")
    op.drop_table("observation")
    op.drop_table("indicator")
    op.drop_table("etl_run_source")
    op.drop_index("ix_etl_run_status", table_name="etl_run")
    op.drop_table("etl_run")
