"""An attacker against the published model outputs of the demonstration extract.

The attacker has the published tables only and tries three things the issue showed working
before the closure: solving a withheld share back from a published odds ratio and the
other shares; reading monthly arrest counts off the Kaplan-Meier steps; and differencing
the evaluation groups' covariate counts against the published demographics of everyone
referred (which would count the people referred after the evaluation window).
"""

from __future__ import annotations

import math
from pathlib import Path

from tests.integration.helpers import published
from tests.integration.test_program_pipeline import THRESHOLD, run_with_demo

SHARES = {"arrest_odds_ratio": "arrest_share_6m", "felony_odds_ratio": "felony_charge_share_6m"}


def _odds(share_pct: float) -> float:
    return share_pct / (100 - share_pct)


def test_published_model_outputs_give_back_no_withheld_or_small_count(
    database_url: str, demo_extract: Path
) -> None:
    summary = run_with_demo(database_url, demo_extract)
    frame = published(database_url, summary.run_id)
    by = frame.set_index(["indicator_id", "breakdown_value"])

    # 1. Odds ratio + three shares -> the fourth count. Try every count for each withheld
    # share; a unique fit would be a recovery.
    attempts = 0
    for ratio_id, share_id in SHARES.items():
        if (ratio_id, "") not in by.index or bool(by.loc[(ratio_id, ""), "is_suppressed"]):
            continue
        ratio = float(by.loc[(ratio_id, ""), "value"])
        cells = {
            value: by.loc[(share_id, value)]
            for value in ("lead|before", "lead|after", "control|before", "control|after")
        }
        withheld = [k for k, row in cells.items() if bool(row["is_suppressed"])]
        assert not withheld, f"{ratio_id} is published beside withheld {withheld}"
        attempts += 1
        odds = {k: _odds(float(row["value"])) for k, row in cells.items()}
        crude = (odds["lead|after"] / odds["lead|before"]) / (
            odds["control|after"] / odds["control|before"]
        )
        assert math.isclose(crude, ratio, rel_tol=0.05)  # the attacker's model is right
    assert attempts == len(SHARES)

    # 2. Kaplan-Meier: no difference of published points counts 1 to 10 people.
    survival = frame[frame["indicator_id"] == "no_arrest_since_entry_pct"].copy()
    parts = survival["breakdown_value"].str.split("|", expand=True)
    survival = survival.assign(cohort=parts[0], month=parts[1].astype(int))
    sizes = by.loc["evaluation_group_size"]["value"].to_dict()
    for cohort, curve in survival.groupby("cohort"):
        curve = curve.sort_values("month")
        at_risk = -curve["denominator_n"].dropna().diff().dropna()
        assert not ((at_risk > 0) & (at_risk < THRESHOLD)).any(), (cohort, at_risk.tolist())
        known = curve[curve["denominator_n"].notna()]
        arrests = -(known["value"] / 100 * sizes[cohort]).round().diff().dropna()
        assert not ((arrests > 0) & (arrests < THRESHOLD)).any(), (cohort, arrests.tolist())
        assert len(curve) >= 4, "the curve keeps enough steps to be read"

    # 3. Evaluation counts by covariate level against the demographics of everyone referred.
    counts = frame[frame["indicator_id"] == "evaluation_covariate_count"]
    demographics = frame[frame["indicator_id"].str.startswith("participants_by_")]
    for row in counts[~counts["is_suppressed"]].to_dict("records"):
        cohort, covariate, level = str(row["breakdown_value"]).split("|")
        assert int(row["value"]) >= THRESHOLD
        if covariate == "gender" and level == "female":
            everyone = demographics[
                (demographics["indicator_id"] == "participants_by_gender")
                & (demographics["breakdown_value"] == f"{cohort}|female")
            ]
            if not everyone.empty and not bool(everyone.iloc[0]["is_suppressed"]):
                later = int(everyone.iloc[0]["value"]) - int(row["value"])
                assert later == 0 or later >= THRESHOLD, (cohort, later)
    withheld = frame[frame["is_suppressed"]]
    assert withheld[["value", "lower_bound", "upper_bound", "denominator_n"]].isna().all().all()
    smd = frame[frame["indicator_id"] == "covariate_balance_smd"]
    hidden_counts = set(counts.loc[counts["is_suppressed"], "breakdown_value"])
    for value in smd.loc[~smd["is_suppressed"], "breakdown_value"]:
        covariate, level, _weighting = str(value).split("|")
        if level != "mean":
            assert f"lead|{covariate}|{level}" not in hidden_counts
            assert f"control|{covariate}|{level}" not in hidden_counts
