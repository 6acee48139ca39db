"""Each evaluation person's windows before and after entry, and the time they can be counted.

Pure functions of the de-identified, in-memory frames of a program extract. The frame they
return is **person-level**: never publish or log it.

Definitions (cited on the site)
-------------------------------
* **Evaluation entry**: ``participants.referral_date``, the LEAD referral date; for the
  comparison (control) cohort it is the evaluation entry date (the arrest that made the
  person eligible). **Evaluation cohort**: every person, LEAD or control, with entry on or
  before ``evaluation_end`` (default 2014-07-31). LEAD people are counted as referred
  (intention to treat), whether or not they enrolled.
* **Arrest**: ``event_type == "arrest"``. **Felony charge**: ``event_type == "charge"`` and
  ``charge_level == "felony"``. **Charge** (for costs): any charge. **Booking**:
  ``event_type == "booking"``; its ``jail_days`` (blank = unknown, counted as 0 days, so
  jail figures are lower bounds where days are unknown) make a **jail stay** covering the
  booking day and the days after it: ``[booking date, booking date + jail_days)``.
* **The entry day itself belongs to neither window.** A comparison person's eligible
  arrest (and an arrest-diversion referral's arrest) happens on the entry date; counting it
  would inflate one period by construction. A jail stay that *starts* on the entry day does
  reach into the after window, and those days count there.
* **Short windows** (any arrest, any felony charge): the ``short_months`` (default 6)
  calendar months before entry, ``[entry - 6 months, entry)``, and after, ``(entry, entry +
  6 months]`` (pandas ``DateOffset``; a day past the end of the target month is clipped).
* **Rate windows** (bookings, jail days, charges, costs): the ``rate_months`` (default 12)
  calendar months before entry and up to that many after.
* **End of follow-up**: the earliest of the extract date, a LEAD exit with reason ``died``
  or ``incarcerated`` (the exit date), and the first ``prison_admission`` after entry. After
  it a person cannot be arrested in the community, so their time is not counted. (The
  comparison group has no exits in the contract: only prison admissions end their time.)
  A short after window is **observed** only when follow-up reaches its end; otherwise the
  after value is missing (NA) and the person counts in the before window only.
* **Exposure**. ``years_*``: calendar time in the window (days / 365.25) up to the end of
  follow-up; the denominator of jail days and costs per person-year. ``years_free_*``: the
  same time minus the days spent in jail in the window, the time at liberty, at risk of a
  new booking; the denominator of bookings per person-year.
* **Jail days** in a window are the days of any jail stay that fall inside it, whatever
  the booking date (a stay that began before the window counts its days inside it).
* **Prior history** (for adjustment, always the same windows whatever ``short_months`` or
  ``rate_months`` are): arrests and bookings in the 6 and in the 12 calendar months before
  entry.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from etl.evaluation.common import DAYS_PER_YEAR, EVALUATION_END, require, timestamp

SHORT_WINDOW_MONTHS = 6
RATE_WINDOW_MONTHS = 12
ENDING_EXITS = ("died", "incarcerated")
PRIOR_MONTHS = (6, 12)

WINDOW_COLUMNS = (
    "person_key",
    "cohort",
    "entry_date",
    "arrest_before",
    "arrest_after",
    "felony_before",
    "felony_after",
    "bookings_before",
    "bookings_after",
    "jail_days_before",
    "jail_days_after",
    "years_before",
    "years_after",
    "years_free_before",
    "years_free_after",
    "charges_before",
    "charges_after",
    "prior_arrests_6m",
    "prior_arrests_12m",
    "prior_bookings_6m",
    "prior_bookings_12m",
)


def evaluation_people(
    participants: pd.DataFrame, evaluation_end: date | pd.Timestamp = EVALUATION_END
) -> pd.DataFrame:
    """The evaluation cohort's rows of ``participants`` (entry on or before the end), in order."""
    require(participants, ("person_key", "cohort", "referral_date"), "participants")
    chosen = participants["referral_date"] <= timestamp(evaluation_end)
    return participants.loc[chosen].reset_index(drop=True)


def follow_up_end(
    people: pd.DataFrame, legal_events: pd.DataFrame, extract_date: date | pd.Timestamp
) -> pd.Series:
    """Each person's end of follow-up (see the module docstring), aligned with ``people``."""
    end = pd.Series(timestamp(extract_date), index=people.index)
    if {"exit_date", "exit_reason"} <= set(people.columns):
        exit_date = pd.to_datetime(people["exit_date"])
        ending = people["exit_reason"].isin(ENDING_EXITS) & (exit_date < end)
        end = end.mask(ending, exit_date)
    prison = legal_events.loc[
        legal_events["event_type"] == "prison_admission", ["person_key", "event_date"]
    ].merge(people[["person_key", "referral_date"]], on="person_key")
    prison = prison[prison["event_date"] > prison["referral_date"]]
    first = prison.groupby("person_key")["event_date"].min()
    admitted = pd.Series(
        pd.to_datetime(first.reindex(people["person_key"]).to_numpy()), index=people.index
    )
    return end.mask(admitted < end, admitted)


def person_windows(
    participants: pd.DataFrame,
    legal_events: pd.DataFrame,
    extract_date: date | pd.Timestamp,
    evaluation_end: date | pd.Timestamp = EVALUATION_END,
    short_months: int = SHORT_WINDOW_MONTHS,
    rate_months: int = RATE_WINDOW_MONTHS,
) -> pd.DataFrame:
    """One row per evaluation person with their events and exposure around entry.

    Args:
        participants: ``ProgramExtract.participants`` (person_key, cohort, referral_date;
            exit_date and exit_reason when present).
        legal_events: ``ProgramExtract.legal_events`` (person_key, event_date, event_type,
            charge_level, jail_days).
        extract_date: the extract date; follow-up ends here at the latest.
        evaluation_end: last evaluation entry date included (default 2014-07-31).
        short_months, rate_months: window lengths in calendar months.

    Returns:
        :data:`WINDOW_COLUMNS`, one row per person in participants order: the flags
        ``arrest_*`` / ``felony_*`` (pandas ``boolean``; after NA when not observed), counts
        ``bookings_*`` and ``charges_*`` (int), ``jail_days_*`` (float days), exposure
        ``years_*`` and ``years_free_*`` (float person-years, never negative) and the prior
        history ``prior_arrests_6m`` ... ``prior_bookings_12m`` (int).
    """
    require(
        legal_events,
        ("person_key", "event_date", "event_type", "charge_level", "jail_days"),
        "legal_events",
    )
    people = evaluation_people(participants, evaluation_end)
    entry = people["referral_date"]
    stop = follow_up_end(people, legal_events, extract_date)
    short_start = entry - pd.DateOffset(months=short_months)
    short_end = entry + pd.DateOffset(months=short_months)
    rate_start = entry - pd.DateOffset(months=rate_months)
    full_end = entry + pd.DateOffset(months=rate_months)
    rate_end = full_end.mask(stop < full_end, stop)
    rate_end = rate_end.mask(rate_end < entry, entry)

    events = legal_events[["person_key", "event_date", "event_type", "charge_level", "jail_days"]]
    bounds = pd.DataFrame(
        {
            "person_key": people["person_key"],
            "entry": entry,
            "stop": stop,
            "short_start": short_start,
            "short_end": short_end,
            "rate_start": rate_start,
            "rate_end": rate_end,
        }
    )
    joined = events.merge(bounds, on="person_key", how="inner")
    day = joined["event_date"]
    before_short = (day >= joined["short_start"]) & (day < joined["entry"])
    after_short = (day > joined["entry"]) & (day <= joined["short_end"]) & (day <= joined["stop"])
    before_rate = (day >= joined["rate_start"]) & (day < joined["entry"])
    after_rate = (day > joined["entry"]) & (day <= joined["rate_end"])
    arrest = joined["event_type"] == "arrest"
    charge = joined["event_type"] == "charge"
    felony = charge & (joined["charge_level"] == "felony")
    booking = joined["event_type"] == "booking"
    flags = pd.DataFrame(
        {
            "person_key": joined["person_key"],
            "arrest_before": arrest & before_short,
            "arrest_after": arrest & after_short,
            "felony_before": felony & before_short,
            "felony_after": felony & after_short,
            "bookings_before": (booking & before_rate).astype(int),
            "bookings_after": (booking & after_rate).astype(int),
            "charges_before": (charge & before_rate).astype(int),
            "charges_after": (charge & after_rate).astype(int),
        }
    )
    for months in PRIOR_MONTHS:
        prior = (day >= joined["entry"] - pd.DateOffset(months=months)) & (day < joined["entry"])
        flags[f"prior_arrests_{months}m"] = (arrest & prior).astype(int)
        flags[f"prior_bookings_{months}m"] = (booking & prior).astype(int)
    per_person = flags.groupby("person_key", sort=False).agg(
        {c: ("any" if c.startswith(("arrest", "felony")) else "sum") for c in flags.columns[1:]}
    )
    per_person = per_person.reindex(people["person_key"])
    observed = (short_end <= stop).to_numpy()

    def flag(column: str, when: np.ndarray | None = None) -> pd.Series:
        values = pd.Series(per_person[column].eq(True).to_numpy(), dtype="boolean")
        return values if when is None else values.where(when, pd.NA)

    def count(column: str) -> np.ndarray:
        return per_person[column].fillna(0).astype(int).to_numpy()

    jail_before = jail_days_within(joined[booking], "rate_start", "entry", people["person_key"])
    jail_after = jail_days_within(joined[booking], "entry", "rate_end", people["person_key"])
    days_before = (entry - rate_start).dt.days.astype(float).to_numpy()
    days_after = (rate_end - entry).dt.days.clip(lower=0).astype(float).to_numpy()
    windows = pd.DataFrame(
        {
            "person_key": people["person_key"],
            "cohort": people["cohort"],
            "entry_date": entry,
            "arrest_before": flag("arrest_before"),
            "arrest_after": flag("arrest_after", observed),
            "felony_before": flag("felony_before"),
            "felony_after": flag("felony_after", observed),
            "bookings_before": count("bookings_before"),
            "bookings_after": count("bookings_after"),
            "jail_days_before": jail_before,
            "jail_days_after": jail_after,
            "years_before": days_before / DAYS_PER_YEAR,
            "years_after": days_after / DAYS_PER_YEAR,
            "years_free_before": np.clip(days_before - jail_before, 0, None) / DAYS_PER_YEAR,
            "years_free_after": np.clip(days_after - jail_after, 0, None) / DAYS_PER_YEAR,
            "charges_before": count("charges_before"),
            "charges_after": count("charges_after"),
            **{
                f"prior_{kind}_{months}m": count(f"prior_{kind}_{months}m")
                for kind in ("arrests", "bookings")
                for months in PRIOR_MONTHS
            },
        }
    )
    return windows.loc[:, list(WINDOW_COLUMNS)]


def jail_days_within(bookings: pd.DataFrame, start: str, end: str, order: pd.Series) -> np.ndarray:
    """Days each person spent in jail inside their window, in ``order`` (float days).

    ``bookings`` holds ``person_key``, ``event_date``, ``jail_days`` and the window's bound
    columns ``start`` and ``end``. The window is ``(start, end]`` when ``start`` is the
    entry (the entry day belongs to neither window) and ``[start, end)`` otherwise. A stay
    covers ``jail_days`` days from its booking date; overlapping stays count each day once.
    """
    days = bookings["jail_days"].astype(float).fillna(0.0)
    if start == "entry":
        first, last = bookings[start] + pd.Timedelta(days=1), bookings[end]
    else:
        first, last = bookings[start], bookings[end] - pd.Timedelta(days=1)
    stay_first = bookings["event_date"]
    stay_last = stay_first + pd.to_timedelta(days - 1, unit="D")
    clipped = pd.DataFrame(
        {
            "person_key": bookings["person_key"],
            "first": stay_first.mask(stay_first < first, first),
            "last": stay_last.mask(stay_last > last, last),
        }
    )
    clipped = clipped[(days > 0).to_numpy() & (clipped["last"] >= clipped["first"]).to_numpy()]
    clipped = clipped.sort_values(["person_key", "first"], kind="stable")
    # Union of intervals: a stay only adds the days after the latest day already covered.
    covered = clipped.groupby("person_key")["last"].cummax()
    previous = covered.groupby(clipped["person_key"]).shift(1)
    begins = clipped["first"].mask(previous >= clipped["first"], previous + pd.Timedelta(days=1))
    added = ((clipped["last"] - begins).dt.days + 1).clip(lower=0)
    totals = added.groupby(clipped["person_key"]).sum()
    return totals.reindex(order).fillna(0.0).to_numpy(dtype=float)
