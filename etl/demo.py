"""Demonstration program extract: seeded, synthetic, in exactly the contract's format.

``python -m etl demo [--out DIR] [--seed N]`` writes ``participants.csv``,
``legal_events.csv``, ``services.csv``, ``monthly_status.csv`` and ``PROVENANCE.json``
(``is_synthetic: true``) as ``docs/program-data-contract.md`` describes. **No row describes a
real person.** The generator exists so the whole program-data path (validation,
de-identification, indicators, suppression, the site) can be built, tested and shown
without real records, and so the drop path is exercised: the files also carry fake direct
identifiers (``full_name``, ``date_of_birth``, ``address``, ``phone``, ``case_number``,
``booking_number``) and free-text ``case_notes``, which the reader must drop.

The same seed gives byte-identical files (fixed extract date, stable row order, LF line
endings, no dependence on today's date). Generation takes well under a second.

Calibration and assumptions
---------------------------
Figures marked *published* are CONFIRMED figures from the UW LEAD evaluation
(``lead_evaluation_facts.md``: Collins, Lonczak & Clifasefi 2015, 2017, 2019; Clifasefi et
al. 2016, 2017). Everything else is an **assumption of this generator**, chosen to look
plausible; none of it is a finding about LEAD.

People and referrals

* Evaluation cohort (*published*): 203 LEAD participants and 115 system-as-usual controls,
  referred or entered October 2011 - July 2014. Referral dates are spread over those
  months with a three-month ramp-up and a trickle (weight 0.15) from March 2014, when SPD
  "slowed referrals ... to a trickle" (*published*, Seattle Weekly). Controls' dates are
  their evaluation entry (the arrest that made them eligible) on the same monthly weights.
* Later LEAD enrolment (assumption): 150 more participants August 2014 - December 2016,
  with monthly weights rising linearly from 1 to 3. 10% of them are
  ``referred_not_enrolled``; every evaluation participant enrolled.
* Referral type (assumption; the split is not published): 60% ``arrest_diversion``,
  40% ``social_contact``. Controls have no referral type (blank).
* Demographics, LEAD (*published* for the evaluation cohort: 39% female, mean age 41, 55%
  Black, 27% white): exact quotas gender female 39%, male 57%, transgender 3%, nonbinary
  0.5%, unknown 0.5%; race black 55%, white 27%, hispanic_latino 5%, native_american 4%,
  multiracial 4%, asian 2%, pacific_islander 1%, other 1%, unknown 1%. Ages: normal with
  SD 10.5, re-centered to mean 41 and clipped to 19-72. Controls (assumption, "similar"):
  35% female, mean age 40, black 50%, white 31%, the rest as LEAD.
* Housing at referral (assumption): unsheltered 68%, homeless_sheltered 12%,
  temporary_housing 8%, permanent_housing 7%, unknown 5%.
* Ages: ``age_at_referral`` is exact (from the fake date of birth); it is left blank for
  10% of people so the reader's ``birth_year`` fallback is exercised.
* Exits (assumption): from the month after referral, 1.2% of active participants exit per
  month; reasons lost_contact 30%, completed 18%, moved_away 14%, incarcerated 14%,
  declined 12%, other 8%, died 4%. Legal events stop at a death; an ``incarcerated`` exit
  (custody elsewhere, not modeled as an event) pauses arrests for a year.

Legal events (2009-01-01 to the extract date): a per-person rate model in
:mod:`etl.demo_legal`, whose docstring states every assumption. People's arrest rates depend
on their housing, age and gender at entry, and the comparison group is older and less often
unsheltered than LEAD (``CONTROL_HOUSING``, mean age 44: assumptions), so the groups differ at
entry in measured ways and the unadjusted comparison is biased while the adjusted ones are
not.

Measured on the files through the ETL's own estimators (``tests/unit/test_demo_calibration.py``
checks the first two over seeds 0-19): the weighted after-entry odds ratio of any arrest in
six months averages 0.40 over seeds 0-19 (range 0.21-0.64; seed 2011: 0.45; unadjusted
0.47 on average, seed 2011 0.63); the legal-cost change per person-year from before to after
entry averages -$2,543 for LEAD and +$5,389 for the comparison group (published: -$2,100 and
+$5,961 per person); after entry the comparison group has about 1.9 more bookings and 47
more jail days per person-year than LEAD (published: 1.4 and about 41); cost per active
participant-month about $899 falling to $532 as before; share sheltered in follow-up months
about twice the baseline share. ``tests/unit/test_demo.py`` checks the counts and
demographics.

Services (LEAD participants only, while enrolled)

* ``case_management`` contacts in 85% of active months (1 + Poisson(2.5) contacts in the
  first three months, 1 + Poisson(1.2) later); ``housing`` 22%, ``treatment`` 15%,
  ``benefits`` 12% (25% in the first six months), ``legal`` 8%, ``other`` 5% of months.
* Costs: relative weights per contact (case_management 1, housing 4, treatment 2.5,
  benefits 0.6, legal 1.2, other 0.8) are scaled so the expected program cost per active
  participant-month is $899 from October 2011 to September 2012, falls linearly to $532
  by July 2014 and stays there (*published*: "averaged $899 per person per month",
  "decreased to $532 per month towards the end of the evaluation"). Each cost has
  lognormal noise (SD 0.35 on the log scale); 2% of costs are blank (unknown), and known
  costs are scaled up by 1/0.98 so the known total still matches.

Monthly status (LEAD participants who enrolled)

* From the month before referral (baseline) to 18 months after, or the exit or extract
  month if earlier (*published* design: 18-month follow-up against the month before
  referral).
* Housing follows a monthly Markov chain from the baseline status (assumption), tuned so
  the share *sheltered* (homeless_sheltered, temporary_housing or permanent_housing) in
  follow-up months is about twice the baseline share (*published*: "over twice as likely
  to be sheltered"). 3% of months are recorded as ``unknown``.
* Employment and income/benefits improve modestly (small monthly transition
  probabilities, assumption; the published odds for these were not confirmed).

Drug use, treatment and health events (contract 1.1). **No LEAD figures are published for
these, so every number below is an assumption of this generator** (it is drawn from its
own random stream, so adding it changed none of the files above):

* Each enrolled LEAD participant has a main substance class: opioids 45%, stimulants 35%,
  alcohol 20%. Days of use in the past 30 are binomial(30, p): p = 0.65 for the main class
  and 0.08 for the others at baseline, falling by 4% a month after referral (about 50%
  lower by month 18; :data:`DAYS_USE_MONTHLY_DECLINE`).
* Drug use is assessed at baseline for 95% of participants and in 70% of later months
  (:data:`ASSESSED_SHARE`); unassessed months have blank days and treatment. 70% of
  assessments are by a case manager, the rest self-reported.
* In treatment (any) in a month: 12% at baseline, rising linearly to 45% at month 18; of
  those, people whose main class is opioids are on medication 60% of the time, others go
  to outpatient (85%) or residential/detox (15%).
* Finance (``finance.csv``, :func:`finance_rows`): spending is the cost target per
  participant-month above (about $899 falling to $532, *published*) times active enrolled
  participants, split 45% case management, 25% housing, 15% treatment, 15% administration
  (assumption), plus $6,000 a month of evaluation in 2012-2015; funding matches spending
  within 10%, from private foundations only until June 2013, then a public share (city 60%,
  county 40%) growing to 70% by the extract date (assumption).
* Non-fatal overdoses, emergency department visits and detox admissions follow Poisson
  processes over the 12 months before referral and up to 18 months after (to exit or the
  extract date): 0.6, 2.0 and 0.3 a year before referral; 0.35, 1.5 and 0.4 after
  (:data:`HEALTH_EVENT_RATES`). They are written to the optional ``health_events.csv``.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from etl.demo_legal import Person, legal_event_rows, poisson_dates

DEFAULT_SEED = 2011
EXTRACT_DATE = date(2016, 12, 31)
HISTORY_START = date(2009, 1, 1)
EVALUATION_START = date(2011, 10, 1)
EVALUATION_END = date(2014, 7, 31)
LATER_START = date(2014, 8, 1)
EVALUATION_LEAD = 203
EVALUATION_CONTROL = 115
LATER_LEAD = 150
PRODUCER = "Demonstration data generator (etl/demo.py) — not real participants"
DESCRIPTION = (
    "Synthetic LEAD program extract for demonstration and testing. Every row is invented; "
    "cohort sizes, demographics and effects are calibrated to published evaluation figures "
    "(see the etl/demo.py docstring for every assumption)."
)

# Referrals and people
ARREST_DIVERSION_SHARE = 0.60
NOT_ENROLLED_SHARE_LATER = 0.10
AGE_SD = 10.5
AGE_LIMITS = (19, 72)
BIRTH_YEAR_ONLY_SHARE = 0.10
LEAD_GENDER = {"female": 0.39, "male": 0.57, "transgender": 0.03, "nonbinary": 0.005}
CONTROL_GENDER = {"female": 0.35, "male": 0.61, "transgender": 0.03, "nonbinary": 0.005}
LEAD_RACE = {
    "black": 0.55,
    "white": 0.27,
    "hispanic_latino": 0.05,
    "native_american": 0.04,
    "multiracial": 0.04,
    "asian": 0.02,
    "pacific_islander": 0.01,
    "other": 0.01,
}
CONTROL_RACE = LEAD_RACE | {"black": 0.50, "white": 0.31, "hispanic_latino": 0.06}
HOUSING_AT_REFERRAL = {
    "homeless_unsheltered": 0.68,
    "homeless_sheltered": 0.12,
    "temporary_housing": 0.08,
    "permanent_housing": 0.07,
    "unknown": 0.05,
}
# The comparison group is less often unsheltered (and older, mean age 44): it differs from
# LEAD at entry in ways that change arrest rates (etl/demo_legal.py), so adjustment matters.
CONTROL_HOUSING = {
    "homeless_unsheltered": 0.52,
    "homeless_sheltered": 0.18,
    "temporary_housing": 0.12,
    "permanent_housing": 0.12,
    "unknown": 0.06,
}
MONTHLY_EXIT_HAZARD = 0.012
EXIT_REASONS = {
    "lost_contact": 0.30,
    "completed": 0.18,
    "moved_away": 0.14,
    "incarcerated": 0.14,
    "declined": 0.12,
    "other": 0.08,
    "died": 0.04,
}

# Services
COST_START = 899.0
COST_END = 532.0
COST_FIRST_YEAR_END = date(2012, 9, 30)
COST_DECLINE_END = date(2014, 7, 1)
COST_SIGMA = 0.35
UNKNOWN_COST_SHARE = 0.02
CASE_MANAGEMENT_MONTH_SHARE = 0.85
CASE_MANAGEMENT_EXTRA = (2.5, 1.2)  # Poisson mean of extra contacts: first 3 months, later
OTHER_SERVICES = {
    "housing": 0.22,
    "treatment": 0.15,
    "benefits": 0.12,
    "legal": 0.08,
    "other": 0.05,
}
EARLY_BENEFITS_SHARE = 0.25
COST_WEIGHTS = {
    "case_management": 1.0,
    "housing": 4.0,
    "treatment": 2.5,
    "benefits": 0.6,
    "legal": 1.2,
    "other": 0.8,
}

# Monthly status
FOLLOW_UP_MONTHS = 18
UNKNOWN_MONTH_SHARE = 0.03
HOUSING_TRANSITIONS = {
    "homeless_unsheltered": {
        "homeless_sheltered": 0.06,
        "temporary_housing": 0.04,
        "permanent_housing": 0.02,
    },
    "homeless_sheltered": {
        "homeless_unsheltered": 0.04,
        "temporary_housing": 0.05,
        "permanent_housing": 0.03,
    },
    "temporary_housing": {
        "homeless_unsheltered": 0.03,
        "homeless_sheltered": 0.01,
        "permanent_housing": 0.05,
    },
    "permanent_housing": {"homeless_unsheltered": 0.01},
    "unknown": {"homeless_unsheltered": 0.35, "homeless_sheltered": 0.10},
}
BASELINE_EMPLOYMENT = {
    "unemployed": 0.84,
    "employed_part_time": 0.05,
    "employed_full_time": 0.02,
    "in_training": 0.03,
    "unknown": 0.06,
}
EMPLOYMENT_TRANSITIONS = {
    "unemployed": {"in_training": 0.006, "employed_part_time": 0.005, "employed_full_time": 0.0015},
    "in_training": {"employed_part_time": 0.06, "unemployed": 0.05},
    "employed_part_time": {"employed_full_time": 0.03, "unemployed": 0.04},
    "employed_full_time": {"unemployed": 0.02, "employed_part_time": 0.02},
    "unknown": {"unemployed": 0.5},
}
BASELINE_INCOME = {"true": 0.42, "false": 0.52, "unknown": 0.06}
INCOME_TRANSITIONS = {
    "false": {"true": 0.03},
    "true": {"false": 0.01},
    "unknown": {"true": 0.3, "false": 0.3},
}

# Fake identifiers (dropped by the reader)
FIRST_NAMES = (
    "Alex", "Casey", "Dana", "Jordan", "Morgan", "Riley", "Taylor", "Jamie", "Robin", "Sam",
    "Avery", "Quinn", "Drew", "Jesse", "Kerry", "Lee",
)  # fmt: skip
LAST_NAMES = (
    "Example", "Sample", "Placeholder", "Fictional", "Testcase", "Demo", "Mockingbird",
    "Madeup", "Pretend", "Notreal",
)  # fmt: skip
STREETS = ("Demo Street", "Sample Avenue", "Example Way", "Fiction Place")
CASE_NOTES = (
    "Met at drop-in; talked about housing options.",
    "Phone check-in, no concerns raised.",
    "Accompanied to benefits appointment.",
    "Discussed treatment referral, will follow up next week.",
    "Missed appointment; outreach worker to look for client.",
    "Court date reminder given.",
)

PARTICIPANT_COLUMNS = (
    "person_id",
    "full_name",
    "date_of_birth",
    "address",
    "phone",
    "case_number",
    "cohort",
    "referral_date",
    "referral_type",
    "age_at_referral",
    "birth_year",
    "gender",
    "race_ethnicity",
    "housing_status_at_referral",
    "enrollment_status",
    "exit_date",
    "exit_reason",
    "case_notes",
)
EVENT_COLUMNS = (
    "person_id",
    "event_date",
    "event_type",
    "charge_level",
    "offense_category",
    "jail_days",
    "warrant_flag",
    "case_number",
    "booking_number",
)
SERVICE_COLUMNS = ("person_id", "contact_date", "service_type", "cost_usd", "case_notes")
STATUS_COLUMNS = (
    "person_id",
    "month",
    "housing_status",
    "employment_status",
    "has_income_or_benefits",
    "days_use_opioids",
    "days_use_stimulants",
    "days_use_alcohol",
    "days_use_other",
    "treatment",
    "assessment_source",
)
HEALTH_COLUMNS = ("person_id", "event_date", "event_type")
# Drug use and health events: assumptions (module docstring), not published figures.
MAIN_SUBSTANCE = {"opioids": 0.45, "stimulants": 0.35, "alcohol": 0.20}
SUBSTANCE_CLASSES = ("opioids", "stimulants", "alcohol", "other")
DAYS_USE_BASELINE_P = {"main": 0.65, "other": 0.08}
DAYS_USE_MONTHLY_DECLINE = 0.04
ASSESSED_SHARE = {"baseline": 0.95, "follow_up": 0.70}
CASE_MANAGER_SHARE = 0.70
TREATMENT_SHARE = {"baseline": 0.12, "month_18": 0.45}
MEDICATION_SHARE_OPIOIDS = 0.60
RESIDENTIAL_SHARE = 0.15
HEALTH_EVENT_RATES = {
    "overdose_nonfatal": (0.6, 0.35),
    "emergency_department_visit": (2.0, 1.5),
    "detox_admission": (0.3, 0.4),
}
HEALTH_STREAM = 8  # the drug-use and health draws use their own random stream
FINANCE_STREAM = 9
FINANCE_COLUMNS = ("month", "flow", "fund_source", "spending_category", "amount_usd")
# Spending split of the programme cost per participant-month (assumption), plus a fixed
# evaluation budget; funding is private until mid-2013, then public money takes over.
SPENDING_SHARES = {
    "case_management": 0.45,
    "housing": 0.25,
    "treatment": 0.15,
    "administration": 0.15,
}
EVALUATION_MONTHLY_USD = 6_000.0
EVALUATION_MONTHS = (date(2012, 1, 1), date(2015, 12, 1))
PRIVATE_ONLY_UNTIL = date(2013, 6, 1)
PRIVATE_SHARE_END = 0.30  # private share of funding by the extract month
PUBLIC_SPLIT = {"city": 0.6, "county": 0.4}
EVENT_ORDER = {"arrest": 0, "booking": 1, "charge": 2, "prison_admission": 3}


@dataclass
class DemoExtract:
    """The generated files as rows of text, in the order they are written."""

    participants: list[list[str]]
    legal_events: list[list[str]]
    services: list[list[str]]
    monthly_status: list[list[str]]
    health_events: list[list[str]]
    finance: list[list[str]]
    provenance: dict[str, object]

    def files(self) -> dict[str, tuple[Sequence[str], list[list[str]]]]:
        return {
            "participants.csv": (PARTICIPANT_COLUMNS, self.participants),
            "legal_events.csv": (EVENT_COLUMNS, self.legal_events),
            "services.csv": (SERVICE_COLUMNS, self.services),
            "monthly_status.csv": (STATUS_COLUMNS, self.monthly_status),
            "health_events.csv": (HEALTH_COLUMNS, self.health_events),
            "finance.csv": (FINANCE_COLUMNS, self.finance),
        }


def generate_demo_extract(seed: int = DEFAULT_SEED) -> DemoExtract:
    """Generate the whole synthetic extract in memory (deterministic for a given seed)."""
    rng = np.random.default_rng(seed)
    people = make_people(rng)
    events = [
        row
        for person in people
        for row in legal_event_rows(person, rng, HISTORY_START, EXTRACT_DATE)
    ]
    services = [row for person in people for row in service_rows(person, rng)]
    statuses = [row for person in people for row in monthly_status_rows(person, rng)]
    health_rng = np.random.default_rng([seed, HEALTH_STREAM])
    main = {person.person_id: _draw(health_rng, MAIN_SUBSTANCE) for person in people}
    referral = {person.person_id: _month_of(person.referral_date) for person in people}
    statuses = [
        drug_use_columns(row, main[row[0]], referral[row[0]], health_rng)
        for row in sorted(statuses)
    ]
    health = [row for person in people for row in health_event_rows(person, health_rng)]
    return DemoExtract(
        participants=participant_rows(people, rng),
        legal_events=_finish_rows(events, "events"),
        services=_finish_rows(services, "services"),
        monthly_status=statuses,
        health_events=sorted({tuple(row): row for row in health}.values()),
        finance=finance_rows(people, np.random.default_rng([seed, FINANCE_STREAM])),
        provenance=provenance(),
    )


def write_demo_extract(folder: str | Path, seed: int = DEFAULT_SEED) -> dict[str, int]:
    """Write the extract's five files into ``folder`` (created if needed).

    Each file is written to a temporary name and renamed into place, so a reader never
    sees half a file. Returns the number of data rows written per CSV file.
    """
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    extract = generate_demo_extract(seed)
    counts: dict[str, int] = {}
    for name, (header, rows) in extract.files().items():
        _write_atomically(target / name, _csv_bytes(header, rows))
        counts[name] = len(rows)
    document = json.dumps(extract.provenance, indent=2, ensure_ascii=False) + "\n"
    _write_atomically(target / "PROVENANCE.json", document.encode("utf-8"))
    return counts


def provenance() -> dict[str, object]:
    return {
        "producer": PRODUCER,
        "extract_date": EXTRACT_DATE.isoformat(),
        "is_synthetic": True,
        "description": DESCRIPTION,
        "contract_version": "1",
    }


# --- people ---------------------------------------------------------------------------


def make_people(rng: np.random.Generator) -> list[Person]:
    """The evaluation LEAD and control cohorts and the later LEAD referrals."""
    groups = (
        ("lead", EVALUATION_LEAD, evaluation_months(), LEAD_GENDER, LEAD_RACE, 41.0),
        ("control", EVALUATION_CONTROL, evaluation_months(), CONTROL_GENDER, CONTROL_RACE, 44.0),
        ("lead", LATER_LEAD, later_months(), LEAD_GENDER, LEAD_RACE, 41.0),
    )
    total = EVALUATION_LEAD + EVALUATION_CONTROL + LATER_LEAD
    numbers = rng.choice(np.arange(10_000, 100_000), size=total, replace=False)
    people: list[Person] = []
    for cohort, n, months, genders, races, mean_age in groups:
        dates = referral_dates(rng, months, n)
        ages = centred_ages(rng, n, mean_age)
        gender = quota(rng, _with_unknown(genders), n)
        race = quota(rng, _with_unknown(races), n)
        housing = quota(rng, CONTROL_HOUSING if cohort == "control" else HOUSING_AT_REFERRAL, n)
        if cohort == "lead":
            types = quota(rng, _split(ARREST_DIVERSION_SHARE), n)
        else:
            types = np.array([""] * n)
        for i in range(n):
            age = int(ages[i])
            birthday = dates[i] - timedelta(days=int(rng.integers(0, 365)))
            dob = _years_before(birthday, age)
            people.append(
                Person(
                    person_id=f"P{numbers[len(people)]}",
                    cohort=cohort,
                    referral_date=dates[i],
                    referral_type=str(types[i]),
                    age=_age_on(dob, dates[i]),
                    date_of_birth=dob,
                    gender=str(gender[i]),
                    race=str(race[i]),
                    housing=str(housing[i]),
                )
            )
    first_later = EVALUATION_LEAD + EVALUATION_CONTROL
    size = round(NOT_ENROLLED_SHARE_LATER * LATER_LEAD)
    not_enrolled = {first_later + int(i) for i in rng.choice(LATER_LEAD, size=size, replace=False)}
    for index, person in enumerate(people):
        if person.cohort == "control":
            person.enrollment_status = "not_applicable"
        elif index in not_enrolled:
            person.enrollment_status = "referred_not_enrolled"
        else:
            assign_exit(person, rng)
    return people


def evaluation_months() -> list[tuple[date, float]]:
    """Months Oct 2011 - Jul 2014 with referral weights (ramp-up, trickle from March 2014)."""
    months = _months(EVALUATION_START, EVALUATION_END)
    ramp = {0: 0.5, 1: 0.7, 2: 0.85}
    return [(m, 0.15 if m >= date(2014, 3, 1) else ramp.get(i, 1.0)) for i, m in enumerate(months)]


def later_months() -> list[tuple[date, float]]:
    """Months Aug 2014 - Dec 2016, weights rising linearly from 1 to 3."""
    months = _months(LATER_START, EXTRACT_DATE)
    return [(m, 1.0 + 2.0 * i / (len(months) - 1)) for i, m in enumerate(months)]


def referral_dates(
    rng: np.random.Generator, months: list[tuple[date, float]], n: int
) -> list[date]:
    """``n`` dates: a month drawn by weight, then a uniform day in it; sorted."""
    weights = np.array([w for _, w in months])
    counts = rng.multinomial(n, weights / weights.sum())
    dates: list[date] = []
    for (month, _), count in zip(months, counts, strict=True):
        days = _days_in_month(month)
        dates += [month + timedelta(days=int(d)) for d in rng.integers(0, days, size=count)]
    return sorted(min(d, EXTRACT_DATE) for d in dates)


def centred_ages(rng: np.random.Generator, n: int, mean: float) -> np.ndarray:
    """Whole-year ages: normal draws re-centered on ``mean``, clipped to :data:`AGE_LIMITS`."""
    draws = rng.normal(mean, AGE_SD, size=n)
    draws = draws - draws.mean() + mean
    return np.clip(np.round(draws), *AGE_LIMITS).astype(int)


def quota(rng: np.random.Generator, shares: dict[str, float], n: int) -> np.ndarray:
    """Exactly ``round(share * n)`` of each label (largest remainder), shuffled."""
    labels = list(shares)
    raw = np.array([shares[label] for label in labels]) * n / sum(shares.values())
    counts = np.floor(raw).astype(int)
    for i in np.argsort(-(raw - counts), kind="stable")[: n - counts.sum()]:
        counts[i] += 1
    values = np.repeat(np.array(labels), counts)
    return rng.permutation(values)


def assign_exit(person: Person, rng: np.random.Generator) -> None:
    """Enrolled LEAD participant: exits with a constant monthly hazard, or stays active."""
    months = int(rng.geometric(MONTHLY_EXIT_HAZARD))
    exit_date = person.referral_date + timedelta(days=int(months * 30.44 + rng.integers(0, 28)))
    if exit_date > EXTRACT_DATE:
        person.enrollment_status = "active"
        return
    person.enrollment_status = "exited"
    person.exit_date = exit_date
    person.exit_reason = str(rng.choice(list(EXIT_REASONS), p=list(EXIT_REASONS.values())))


def participant_rows(people: list[Person], rng: np.random.Generator) -> list[list[str]]:
    rows = []
    for person in sorted(people, key=lambda p: (p.referral_date, p.person_id)):
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        birth_year_only = rng.random() < BIRTH_YEAR_ONLY_SHARE
        rows.append(
            [
                person.person_id,
                name,
                person.date_of_birth.isoformat(),
                f"{rng.integers(100, 4000)} {rng.choice(STREETS)}, Seattle, WA",
                f"206-555-01{rng.integers(0, 100):02d}",
                f"DEMO-{person.referral_date.year}-{rng.integers(0, 10**6):06d}",
                person.cohort,
                person.referral_date.isoformat(),
                person.referral_type,
                "" if birth_year_only else str(person.age),
                str(person.date_of_birth.year),
                person.gender,
                person.race,
                person.housing,
                person.enrollment_status,
                person.exit_date.isoformat() if person.exit_date else "",
                person.exit_reason,
                str(rng.choice(CASE_NOTES)),
            ]
        )
    return rows


# --- services ------------------------------------------------------------------------


def service_rows(person: Person, rng: np.random.Generator) -> list[list[str]]:
    """Service contacts with costs, for each month an enrolled LEAD participant is active."""
    if person.cohort != "lead" or person.enrollment_status == "referred_not_enrolled":
        return []
    last = person.exit_date or EXTRACT_DATE
    rows: list[list[str]] = []
    for k, month in enumerate(_months(_month_of(person.referral_date), last)):
        first = max(month, person.referral_date)
        final = min(_month_end(month), last)
        contacts = month_contacts(k, rng)
        unit = monthly_cost_target(month) / expected_weight(k) / (1 - UNKNOWN_COST_SHARE)
        for service in contacts:
            day = first + timedelta(days=int(rng.integers(0, (final - first).days + 1)))
            noise = rng.lognormal(-(COST_SIGMA**2) / 2, COST_SIGMA)
            cost = COST_WEIGHTS[service] * unit * noise
            known = rng.random() >= UNKNOWN_COST_SHARE
            rows.append(
                [
                    person.person_id,
                    day.isoformat(),
                    service,
                    f"{cost:.2f}" if known else "",
                    str(rng.choice(CASE_NOTES)),
                ]
            )
    return rows


def month_contacts(months_since_referral: int, rng: np.random.Generator) -> list[str]:
    """The service types of one active month's contacts (may be none)."""
    contacts: list[str] = []
    if rng.random() < CASE_MANAGEMENT_MONTH_SHARE:
        extra = CASE_MANAGEMENT_EXTRA[0 if months_since_referral < 3 else 1]
        contacts += ["case_management"] * (1 + int(rng.poisson(extra)))
    for service, share in _other_service_shares(months_since_referral).items():
        if rng.random() < share:
            contacts.append(service)
    return contacts


def expected_weight(months_since_referral: int) -> float:
    """Expected sum of cost weights of one active month's contacts."""
    extra = CASE_MANAGEMENT_EXTRA[0 if months_since_referral < 3 else 1]
    weight = CASE_MANAGEMENT_MONTH_SHARE * (1 + extra) * COST_WEIGHTS["case_management"]
    shares = _other_service_shares(months_since_referral)
    return weight + sum(share * COST_WEIGHTS[service] for service, share in shares.items())


def monthly_cost_target(month: date) -> float:
    """Expected program cost per active participant-month (USD) in a calendar month."""
    if month <= COST_FIRST_YEAR_END:
        return COST_START
    if month >= COST_DECLINE_END:
        return COST_END
    span = (COST_DECLINE_END - COST_FIRST_YEAR_END).days
    done = (month - COST_FIRST_YEAR_END).days / span
    return COST_START + (COST_END - COST_START) * done


def _other_service_shares(months_since_referral: int) -> dict[str, float]:
    if months_since_referral < 6:
        return OTHER_SERVICES | {"benefits": EARLY_BENEFITS_SHARE}
    return OTHER_SERVICES


# --- monthly status ------------------------------------------------------------------


def monthly_status_rows(person: Person, rng: np.random.Generator) -> list[list[str]]:
    """Baseline month (before referral) to 18 months after, exit or extract if earlier."""
    if person.cohort != "lead" or person.enrollment_status == "referred_not_enrolled":
        return []
    referral_month = _month_of(person.referral_date)
    baseline = _add_months(referral_month, -1)
    last = min(
        _add_months(referral_month, FOLLOW_UP_MONTHS),
        _month_of(person.exit_date or EXTRACT_DATE),
    )
    housing = person.housing
    employment = _draw(rng, BASELINE_EMPLOYMENT)
    income = _draw(rng, BASELINE_INCOME)
    rows: list[list[str]] = []
    for k, month in enumerate(_months(baseline, last)):
        if k > 0:
            housing = _step(rng, housing, HOUSING_TRANSITIONS)
            employment = _step(rng, employment, EMPLOYMENT_TRANSITIONS)
            income = _step(rng, income, INCOME_TRANSITIONS)
        shown = "unknown" if k > 0 and rng.random() < UNKNOWN_MONTH_SHARE else housing
        rows.append([person.person_id, month.strftime("%Y-%m"), shown, employment, income])
    return rows


def finance_rows(people: list[Person], rng: np.random.Generator) -> list[list[str]]:
    """Monthly spending by category and funding by source (demonstration assumptions).

    Spending = the cost target per participant-month (about $899 falling to $532, as the
    published cost report) x active enrolled participants, split by
    :data:`SPENDING_SHARES` with 5% noise, plus a fixed evaluation budget. Funding received
    matches spending within 10%: private foundations only until mid-2013, then a growing
    public share (city and county).
    """
    active: dict[date, int] = {}
    for person in people:
        if person.cohort != "lead" or person.enrollment_status == "referred_not_enrolled":
            continue
        stop = _month_of(person.exit_date or EXTRACT_DATE)
        for month in _months(_month_of(person.referral_date), stop):
            active[month] = active.get(month, 0) + 1
    rows: list[list[str]] = []
    last = _month_of(EXTRACT_DATE)
    for month in _months(min(active), last):
        spent = {
            category: monthly_cost_target(month) * active.get(month, 0) * share
            * float(rng.normal(1, 0.05))
            for category, share in SPENDING_SHARES.items()
        }  # fmt: skip
        if EVALUATION_MONTHS[0] <= month <= EVALUATION_MONTHS[1]:
            spent["evaluation"] = EVALUATION_MONTHLY_USD
        label = month.strftime("%Y-%m")
        rows += [[label, "spent", "", c, f"{max(a, 0):.2f}"] for c, a in spent.items()]
        received = sum(spent.values()) * float(rng.uniform(0.9, 1.1))
        if month <= PRIVATE_ONLY_UNTIL:
            private = 1.0
        else:
            done = (month - PRIVATE_ONLY_UNTIL).days / (last - PRIVATE_ONLY_UNTIL).days
            private = 1.0 - (1.0 - PRIVATE_SHARE_END) * done
        shares = {"private_foundation": private}
        shares |= {k: (1 - private) * v for k, v in PUBLIC_SPLIT.items()}
        rows += [
            [label, "received", source, "", f"{received * share:.2f}"]
            for source, share in shares.items()
            if share > 0
        ]
    return rows


def drug_use_assumptions() -> list[str]:
    """The generator's drug-use and health-event assumptions in words (shown under Methods
    whenever the published program figures are synthetic), from the constants it uses."""
    main = ", ".join(f"{k} {v:.0%}" for k, v in MAIN_SUBSTANCE.items())
    rates = "; ".join(
        f"{kind.replace('_', ' ')}: {before} a year before referral, {after} after"
        for kind, (before, after) in HEALTH_EVENT_RATES.items()
    )
    return [
        f"Main substance class of each participant: {main}.",
        "Days of use in the past 30 are binomial: "
        f"{DAYS_USE_BASELINE_P['main']:.0%} of days for the main class and "
        f"{DAYS_USE_BASELINE_P['other']:.0%} for others at baseline, falling by "
        f"{DAYS_USE_MONTHLY_DECLINE:.0%} a month after referral.",
        f"Assessed in {ASSESSED_SHARE['baseline']:.0%} of baseline months and "
        f"{ASSESSED_SHARE['follow_up']:.0%} of later months; {CASE_MANAGER_SHARE:.0%} of "
        "assessments by a case manager.",
        f"In treatment: {TREATMENT_SHARE['baseline']:.0%} at baseline rising to "
        f"{TREATMENT_SHARE['month_18']:.0%} at month 18; medication for "
        f"{MEDICATION_SHARE_OPIOIDS:.0%} of treated people whose main class is opioids.",
        f"Health events (Poisson): {rates}.",
    ]


def drug_use_columns(
    row: list[str], main: str, referral_month: date, rng: np.random.Generator
) -> list[str]:
    """A monthly status row with days of use, treatment and assessment source appended."""
    year, month = (int(x) for x in row[1].split("-"))
    k = (year - referral_month.year) * 12 + (month - referral_month.month)
    assessed_share = ASSESSED_SHARE["baseline" if k < 0 else "follow_up"]
    if rng.random() >= assessed_share:
        return [*row, "", "", "", "", "", ""]
    decline = (1 - DAYS_USE_MONTHLY_DECLINE) ** max(k, 0)
    days = [
        str(rng.binomial(30, DAYS_USE_BASELINE_P["main" if c == main else "other"] * decline))
        for c in SUBSTANCE_CLASSES
    ]
    months = min(max(k, 0), FOLLOW_UP_MONTHS)
    share = TREATMENT_SHARE["baseline"] + (
        TREATMENT_SHARE["month_18"] - TREATMENT_SHARE["baseline"]
    ) * (months / FOLLOW_UP_MONTHS)
    treatment = "none"
    if rng.random() < share:
        if main == "opioids" and rng.random() < MEDICATION_SHARE_OPIOIDS:
            treatment = "medication"
        else:
            treatment = "residential_detox" if rng.random() < RESIDENTIAL_SHARE else "outpatient"
    source = "case_manager" if rng.random() < CASE_MANAGER_SHARE else "self_report"
    return [*row, *days, treatment, source]


def health_event_rows(person: Person, rng: np.random.Generator) -> list[list[str]]:
    """Overdoses, emergency visits and detox admissions around referral (enrolled LEAD)."""
    if person.cohort != "lead" or person.enrollment_status == "referred_not_enrolled":
        return []
    before_start = _years_before(person.referral_date, 1)
    after_end = min(
        _month_end(_add_months(_month_of(person.referral_date), FOLLOW_UP_MONTHS)),
        person.exit_date or EXTRACT_DATE,
        EXTRACT_DATE,
    )
    rows = []
    for event_type, (before, after) in HEALTH_EVENT_RATES.items():
        for day in poisson_dates(
            rng, before, before_start, person.referral_date - timedelta(days=1)
        ):
            rows.append([person.person_id, day.isoformat(), event_type])
        for day in poisson_dates(rng, after, person.referral_date, after_end):
            rows.append([person.person_id, day.isoformat(), event_type])
    return rows


def _step(rng: np.random.Generator, state: str, transitions: dict[str, dict[str, float]]) -> str:
    moves = transitions.get(state, {})
    draw = rng.random()
    for target, share in moves.items():
        if draw < share:
            return target
        draw -= share
    return state


def _draw(rng: np.random.Generator, shares: dict[str, float]) -> str:
    return str(rng.choice(list(shares), p=_normalised(shares)))


# --- helpers -------------------------------------------------------------------------


def _finish_rows(rows: list[list[str]], kind: str) -> list[list[str]]:
    """Drop rows repeating an earlier row's contract columns; sort; add fake identifiers.

    Two contacts (or arrests) of one person on one day with the same fields would be
    indistinguishable once identifiers are dropped, and exact duplicates break the
    contract, so the generator keeps one. Events get fake case and booking numbers.
    """
    width = len(EVENT_COLUMNS) - 2 if kind == "events" else len(SERVICE_COLUMNS) - 1
    kept = list({tuple(row[:width]): row for row in rows}.values())
    if kind != "events":
        return sorted(kept)
    kept.sort(key=lambda row: (row[0], row[1], EVENT_ORDER[row[2]], row[2:]))
    out = []
    for number, row in enumerate(kept):
        case = f"DEMO-C{number:06d}" if row[2] == "charge" else ""
        booking = f"DEMO-B{number:06d}" if row[2] == "booking" else ""
        out.append([*row, case, booking])
    return out


def _csv_bytes(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _write_atomically(path: Path, content: bytes) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(content)
    os.replace(temporary, path)


def _with_unknown(shares: dict[str, float]) -> dict[str, float]:
    return shares | {"unknown": max(0.0, 1.0 - sum(shares.values()))}


def _split(first_share: float) -> dict[str, float]:
    return {"arrest_diversion": first_share, "social_contact": 1.0 - first_share}


def _normalised(shares: dict[str, float]) -> list[float]:
    total = sum(shares.values())
    return [share / total for share in shares.values()]


def _months(first: date, last: date) -> list[date]:
    """Month starts from ``first``'s month to ``last``'s month, inclusive."""
    periods = pd.period_range(_month_of(first), _month_of(last), freq="M")
    return [period.start_time.date() for period in periods]


def _month_of(day: date) -> date:
    return day.replace(day=1)


def _month_end(month: date) -> date:
    return month + timedelta(days=_days_in_month(month) - 1)


def _days_in_month(month: date) -> int:
    return int(pd.Timestamp(month).days_in_month)


def _add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
