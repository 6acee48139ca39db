"""The published data model: the contract between ``etl/`` (only writer) and ``dashboard/``.

A tidy indicator/observation model (see ``docs/architecture.md``). Every published table
carries the ``run_id`` of the ETL run that built it, so a run's tables can be swapped in
atomically and a cited data version can be shown later while that run is retained.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


STATUS_RUNNING, STATUS_SUCCEEDED, STATUS_FAILED = "running", "succeeded", "failed"
STATUS_ABANDONED = "abandoned"
# What the public list of runs shows: published runs and failed ones (a refresh that did
# not happen is news); a run under way or one killed part way changed nothing.
PUBLIC_STATUSES = (STATUS_SUCCEEDED, STATUS_FAILED)


class EtlRun(Base):
    """One execution of the ETL. ``status`` is ``running``, ``succeeded``, ``failed`` or
    ``abandoned`` (interrupted: found still running by the next run).

    Only a ``succeeded`` run's indicators and observations are served. A run killed
    mid-way has no published rows (its load transaction never committed); it stays
    ``running`` until the next run marks it ``abandoned``.
    """

    __tablename__ = "etl_run"

    run_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), index=True)
    code_version: Mapped[str] = mapped_column(String(64))
    message: Mapped[str | None] = mapped_column(Text)


class EtlRunSource(Base):
    """What one run read from one input file or URL."""

    __tablename__ = "etl_run_source"

    run_id: Mapped[str] = mapped_column(
        ForeignKey("etl_run.run_id", ondelete="CASCADE"), primary_key=True
    )
    source_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    location: Mapped[str] = mapped_column(String(1024), primary_key=True)
    title: Mapped[str] = mapped_column(String(255))
    publisher: Mapped[str] = mapped_column(String(255))
    licence: Mapped[str] = mapped_column(Text)
    is_synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    sha256: Mapped[str] = mapped_column(String(64))
    rows_read: Mapped[int] = mapped_column(Integer)
    rows_accepted: Mapped[int] = mapped_column(Integer)
    rows_rejected: Mapped[int] = mapped_column(Integer)
    watermark: Mapped[datetime | None] = mapped_column(DateTime)
    # What the file covers (neighbourhood sources; blank for program files): its complete
    # months, and the areas and categories it holds, comma-separated.
    coverage_first_month: Mapped[date | None] = mapped_column(Date, nullable=True)
    coverage_last_month: Mapped[date | None] = mapped_column(Date, nullable=True)
    coverage_areas: Mapped[str] = mapped_column(Text, default="", server_default="")
    coverage_categories: Mapped[str] = mapped_column(Text, default="", server_default="")


class Indicator(Base):
    """A published measure: what it is, in what unit, from which sources, how protected."""

    __tablename__ = "indicator"

    run_id: Mapped[str] = mapped_column(
        ForeignKey("etl_run.run_id", ondelete="CASCADE"), primary_key=True
    )
    indicator_id: Mapped[str] = mapped_column(String(96), primary_key=True)
    title: Mapped[str] = mapped_column(String(255))
    unit: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text)
    methodology: Mapped[str] = mapped_column(Text)
    source_ids: Mapped[str] = mapped_column(String(255))
    suppression_rule: Mapped[str] = mapped_column(Text)
    chart_kind: Mapped[str] = mapped_column(String(32))
    caveats: Mapped[str] = mapped_column(Text, default="")
    # What an effect compares (etl/estimands.py); empty strings for a non-effect indicator.
    estimand_kind: Mapped[str] = mapped_column(String(32), default="", server_default="")
    estimand_outcome: Mapped[str] = mapped_column(String(255), default="", server_default="")
    estimand_window: Mapped[str] = mapped_column(String(255), default="", server_default="")
    estimand_groups: Mapped[str] = mapped_column(String(255), default="", server_default="")
    estimand_adjusted_for: Mapped[str] = mapped_column(Text, default="", server_default="")


class Observation(Base):
    """One published value: indicator x area x period x breakdown.

    ``value`` is NULL exactly when ``is_suppressed`` is true (never a fake zero).
    ``breakdown_name``/``breakdown_value`` hold one optional dimension (e.g.
    ``offense_group``/``ROBBERY``); the empty string means "all".
    """

    __tablename__ = "observation"
    __table_args__ = (
        ForeignKeyConstraint(
            ["run_id", "indicator_id"],
            ["indicator.run_id", "indicator.indicator_id"],
            ondelete="CASCADE",
        ),
        Index("ix_observation_lookup", "run_id", "indicator_id", "area", "breakdown_value"),
    )

    observation_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(String(40))
    indicator_id: Mapped[str] = mapped_column(String(96))
    area: Mapped[str] = mapped_column(String(64))
    period_start_date: Mapped[date] = mapped_column(Date)
    period_grain: Mapped[str] = mapped_column(String(16))
    breakdown_name: Mapped[str] = mapped_column(String(64), default="")
    breakdown_value: Mapped[str] = mapped_column(String(128), default="")
    value: Mapped[float | None] = mapped_column(Float)
    lower_bound: Mapped[float | None] = mapped_column(Float)
    upper_bound: Mapped[float | None] = mapped_column(Float)
    denominator_n: Mapped[int | None] = mapped_column(Integer)
    is_suppressed: Mapped[bool] = mapped_column(Boolean, default=False)


PUBLISHED_TABLES = (EtlRun, EtlRunSource, Indicator, Observation)

# The columns of an observation as the ETL writes it and the site, downloads and tests
# read it (everything but the surrogate key and the run id).
OBSERVATION_COLUMNS = (
    "indicator_id",
    "area",
    "period_start_date",
    "period_grain",
    "breakdown_name",
    "breakdown_value",
    "value",
    "lower_bound",
    "upper_bound",
    "denominator_n",
    "is_suppressed",
)
