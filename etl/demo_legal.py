"""Legal events of the demonstration extract (``etl/demo.py``): a per-person rate model.

**Every number here is an assumption of the generator** unless marked *published*; none of
it is a finding about LEAD. The model:

* Each person has an arrest rate (per year) drawn from a gamma distribution (shape 1.5,
  mean 2.3; people differ a lot: heterogeneity and overdispersion), multiplied by what they
  were like at entry: x1.3 when unsheltered (0.85 otherwise), x1.3 under 30 and x0.75 from
  45, x0.85 for women. The comparison group is built older and less often unsheltered than
  the LEAD group (``etl/demo.py``), so the two groups differ at entry in measured ways that
  change their arrests: the unadjusted after-entry comparison is biased, the adjusted ones
  are not (there is no unmeasured difference in this generator).
* After entry the rate is multiplied by 0.49 for enrolled LEAD participants (also after
  they exit; ``referred_not_enrolled`` people keep the comparison rate) and by 1.15 for the
  comparison group, processed as usual (court dates and failure-to-appear warrants). Tuned
  so that across seeds 0-19 the weighted after-entry odds ratio of any arrest in six
  months averages about 0.40 (*published*: "60% lower odds of arrest in the six months after
  evaluation entry").
* The entry day: a comparison person's eligible arrest (a low-level offense: felony 10%)
  is booked that day; its case is charged with three counts filed from 1-30 days later,
  and a quarter of these cases end in a jail sentence served from 30-120 days after entry
  (lognormal, mean 30 days), so the comparison group's legal costs rise after entry
  (*published* direction and size: +$5,961 per person for the comparison group, -$2,100
  for LEAD). An arrest-diversion referral has an arrest that day with no booking or
  charge; a social-contact referral has no event that day.
* Each later arrest: 18% are warrant arrests (no charge); the others draw offense drug 45%,
  property 27%, other 13%, prostitution 8%, violent 7% and are felonies with probability
  30% (50% for LEAD after entry: diversion removes mostly low-level arrests). Arrests lead
  to a charge 0-30 days later with probability 75% before entry, 60% for LEAD after entry
  and 85% for the comparison group after entry.
* Bookings: 85% of arrests are booked (LEAD after entry: 70%); jail days are a rounded
  lognormal (log-scale SD 0.9) with mean 52 days for felonies and 13 otherwise, times 0.45
  for LEAD after entry (*published* direction: 1.4 fewer bookings and about 41 fewer jail
  days a year after entry).
* Prison admissions: 6% of felony charges (LEAD after entry: 0.4%), 60-180 days after the
  charge. Legal events stop at a death; an ``incarcerated`` exit pauses arrests for a year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

ARREST_RATE_MEAN = 2.3  # arrests per person-year before entry, before the multipliers below
ARREST_RATE_SHAPE = 1.5
RATE_UNSHELTERED = (1.3, 0.85)  # unsheltered at referral, everyone else
RATE_BY_AGE = ((30, 1.3), (45, 1.0), (200, 0.75))  # (under this age, multiplier)
RATE_FEMALE = 0.85
LEAD_ARREST_MULTIPLIER = 0.49
CONTROL_ARREST_MULTIPLIER = 1.15
WARRANT_SHARE = 0.18
OFFENSES = {"drug": 0.45, "property": 0.27, "other": 0.13, "prostitution": 0.08, "violent": 0.07}
FELONY_SHARE = 0.30
ENTRY_FELONY_SHARE = 0.10  # the eligible (entry) arrest is for a low-level offence
LEAD_FELONY_SHARE = 0.5
CHARGE_SHARE = {"before": 0.75, "lead_after": 0.6, "control_after": 0.85}
BOOKING_SHARE = 0.85
LEAD_BOOKING_SHARE = 0.7
JAIL_DAYS_MEAN = {"felony": 52.0, "other": 13.0}
JAIL_DAYS_SIGMA = 0.9
LEAD_JAIL_MULTIPLIER = 0.45
PRISON_SHARE = 0.06
LEAD_PRISON_SHARE = 0.004
INCARCERATION_PAUSE_DAYS = 365
ENTRY_CHARGE_DAYS = (1, 30)  # the comparison person's entry case is charged after entry
ENTRY_CHARGES = 3  # counts filed in the entry case
ENTRY_SENTENCE_SHARE = 0.25
ENTRY_SENTENCE_START = (30, 120)  # days after entry
ENTRY_SENTENCE_MEAN_DAYS = 30.0


@dataclass
class Person:
    person_id: str
    cohort: str
    referral_date: date
    referral_type: str
    age: int
    date_of_birth: date
    gender: str
    race: str
    housing: str
    enrollment_status: str = ""
    exit_date: date | None = None
    exit_reason: str = ""


def rate_multiplier(person: Person) -> float:
    """How much a person's characteristics at entry scale their arrest rate."""
    housing = RATE_UNSHELTERED[0 if person.housing == "homeless_unsheltered" else 1]
    age = next(multiplier for limit, multiplier in RATE_BY_AGE if person.age < limit)
    return housing * age * (RATE_FEMALE if person.gender == "female" else 1.0)


def legal_event_rows(
    person: Person, rng: np.random.Generator, history_start: date, extract_date: date
) -> list[list[str]]:
    """Arrests (Poisson process) with their bookings, charges and prison admissions."""
    rate = rng.gamma(ARREST_RATE_SHAPE, ARREST_RATE_MEAN / ARREST_RATE_SHAPE)
    rate *= rate_multiplier(person)
    stop = extract_date
    if person.exit_reason == "died" and person.exit_date is not None:
        stop = person.exit_date
    is_lead = person.cohort == "lead" and person.enrollment_status != "referred_not_enrolled"
    after_multiplier = LEAD_ARREST_MULTIPLIER if is_lead else CONTROL_ARREST_MULTIPLIER
    entry = person.referral_date
    arrests = poisson_dates(rng, rate, history_start, entry - timedelta(days=1))
    after = poisson_dates(rng, rate * after_multiplier, entry + timedelta(1), stop)
    pause = _incarceration_pause(person)
    arrests += [d for d in after if not (pause and pause[0] <= d <= pause[1])]
    rows: list[list[str]] = []
    for day in arrests:
        lead_after = is_lead and day > entry
        period = "before" if day < entry else "lead_after" if is_lead else "control_after"
        share = CHARGE_SHARE[period]
        rows += arrest_rows(day, rng, lead_after, diverted=False, charge_share=share)
    if person.cohort == "control":
        rows += arrest_rows(entry, rng, lead_after=False, diverted=False, entry=True)
    elif person.referral_type == "arrest_diversion":
        rows += arrest_rows(entry, rng, lead_after=False, diverted=True, entry=True)
    return [[person.person_id, *row] for row in rows if row[0] <= stop.isoformat()]


def arrest_rows(
    day: date,
    rng: np.random.Generator,
    lead_after: bool,
    diverted: bool,
    entry: bool = False,
    charge_share: float = CHARGE_SHARE["before"],
) -> list[list[str]]:
    """One arrest and what follows it: booking (jail days), charge, prison admission; for a
    comparison person's entry arrest, also the charge after entry and a possible sentence."""
    warrant = not entry and rng.random() < WARRANT_SHARE
    if warrant:
        offense, level = "warrant", "none"
    else:
        offenses = {"drug": 0.85, "prostitution": 0.15} if entry else OFFENSES
        offense = str(rng.choice(list(offenses), p=_normalised(offenses)))
        felony_share = (
            ENTRY_FELONY_SHARE if entry else LEAD_FELONY_SHARE if lead_after else (FELONY_SHARE)
        )
        level = "felony" if rng.random() < felony_share else "misdemeanor"
    rows = [_event(day, "arrest", level, offense, "", warrant)]
    if diverted:
        return rows
    if rng.random() < (LEAD_BOOKING_SHARE if lead_after else BOOKING_SHARE):
        mean = JAIL_DAYS_MEAN["felony" if level == "felony" else "other"]
        mean *= LEAD_JAIL_MULTIPLIER if lead_after else 1.0
        rows.append(_event(day, "booking", level, offense, str(_jail_days(rng, mean)), warrant))
    if not warrant and (entry or rng.random() < charge_share):
        low, high = ENTRY_CHARGE_DAYS if entry else (0, 30)
        charged = day + timedelta(days=int(rng.integers(low, high + 1)))
        for count in range(ENTRY_CHARGES if entry else 1):
            # Further counts of the entry case are filed on the following days (an identical
            # row on the same day would be one record once identifiers are dropped).
            filed = charged + timedelta(days=count)
            rows.append(_event(filed, "charge", level, offense, "", False))
        prison_share = LEAD_PRISON_SHARE if lead_after else PRISON_SHARE
        if level == "felony" and rng.random() < prison_share:
            admitted = charged + timedelta(days=int(rng.integers(60, 181)))
            rows.append(_event(admitted, "prison_admission", "felony", offense, "", False))
        elif entry and rng.random() < ENTRY_SENTENCE_SHARE:
            start = day + timedelta(days=int(rng.integers(*ENTRY_SENTENCE_START)))
            days = _jail_days(rng, ENTRY_SENTENCE_MEAN_DAYS)
            rows.append(_event(start, "booking", level, offense, str(days), False))
    return rows


def _jail_days(rng: np.random.Generator, mean: float) -> int:
    sigma = JAIL_DAYS_SIGMA
    return int(round(rng.lognormal(np.log(mean) - sigma**2 / 2, sigma)))


def _event(
    day: date, event_type: str, level: str, offense: str, jail_days: str, warrant: bool
) -> list[str]:
    return [day.isoformat(), event_type, level, offense, jail_days, "true" if warrant else "false"]


def _incarceration_pause(person: Person) -> tuple[date, date] | None:
    if person.exit_reason != "incarcerated" or person.exit_date is None:
        return None
    return person.exit_date, person.exit_date + timedelta(days=INCARCERATION_PAUSE_DAYS)


def poisson_dates(rng: np.random.Generator, per_year: float, start: date, end: date) -> list[date]:
    """Days of a Poisson process with ``per_year`` events a year on ``[start, end]``."""
    span = (end - start).days + 1
    if span <= 0 or per_year <= 0:
        return []
    count = rng.poisson(per_year * span / 365.25)
    return [start + timedelta(days=int(d)) for d in rng.integers(0, span, size=count)]


def _normalised(shares: dict[str, float]) -> list[float]:
    total = sum(shares.values())
    return [share / total for share in shares.values()]
