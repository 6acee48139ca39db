"""The demonstration program extract through the whole ETL: privacy, reconciliation,
rejection of bad extracts, and an attacker who tries to recover withheld figures."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from etl import pipeline
from etl.deidentify import person_key
from etl.sources.program import DEMO_SECRET
from tests.integration.conftest import SAMPLE_NIBRS
from tests.integration.helpers import latest_succeeded_run, published, query, render_page

THRESHOLD = 11
PEOPLE_COUNT_INDICATORS = {
    "referrals",
    "referrals_cumulative",
    "participants_active",
    "exits",
    "participants_by_cohort",
    "participants_by_gender",
    "participants_by_age_band",
    "participants_by_race_ethnicity",
    "participants_by_housing_at_referral",
}


def run_with_demo(database_url: str, extract: Path) -> pipeline.RunSummary:
    return pipeline.run(
        database_url=database_url, nibrs_sources=SAMPLE_NIBRS, program_extract_dir=str(extract)
    )


def all_published_text(database_url: str) -> str:
    """Every value of every published table, as text."""
    parts = []
    for table in ("etl_run", "etl_run_source", "indicator", "observation"):
        frame = query(database_url, f"SELECT * FROM {table}")  # noqa: S608 -- fixed names
        parts.append(frame.astype(str).to_csv(index=False))
    return "\n".join(parts)


def secrets_of(extract: Path) -> list[str]:
    """Strings that must never be published: ids, their keyed hashes, identifiers, exact
    dates (other than month starts, which are also legitimate period labels)."""
    participants = pd.read_csv(extract / "participants.csv", dtype=str, keep_default_na=False)
    secrets: set[str] = set()
    for person_id in participants["person_id"]:
        secrets.add(person_id)
        secrets.add(person_key(person_id, DEMO_SECRET))
    for column in ("full_name", "date_of_birth", "address", "phone", "case_number"):
        if column in participants.columns:
            secrets.update(v for v in participants[column] if len(v) >= 6)
    for day in participants["referral_date"]:
        if not day.endswith("-01"):
            secrets.add(day)
            year, month, dom = day.split("-")
            secrets.add(f"{month}/{dom}/{year}")
    return sorted(secrets)


def test_demo_extract_publishes_suppressed_program_figures(
    database_url: str, demo_extract: Path
) -> None:
    summary = run_with_demo(database_url, demo_extract)

    assert summary.status == "succeeded"
    counts = summary.suppression_counts
    assert counts["published"] > 0 and counts["withheld"] > 0
    frame = published(database_url, summary.run_id)
    program = frame[frame["indicator_id"].isin(PEOPLE_COUNT_INDICATORS)]
    shown = program[~program["is_suppressed"]]
    assert (shown["value"] >= THRESHOLD).all(), shown[shown["value"] < THRESHOLD]
    withheld = frame[frame["is_suppressed"]]
    assert withheld["value"].isna().all() and withheld["denominator_n"].isna().all()
    sources = query(
        database_url,
        "SELECT source_id, is_synthetic FROM etl_run_source WHERE run_id = :run_id",
        run_id=summary.run_id,
    )
    synthetic = dict(zip(sources["source_id"], sources["is_synthetic"].astype(bool), strict=False))
    assert synthetic["program_participants"] is True
    assert synthetic["spd_crime_nibrs"] is False
    rules = query(
        database_url,
        "SELECT suppression_rule FROM indicator WHERE indicator_id = 'referrals' "
        "AND run_id = :run_id",
        run_id=summary.run_id,
    )["suppression_rule"].tolist()
    assert rules and "fewer than 11 people" in rules[0]


def test_no_person_level_value_reaches_the_database_logs_or_quarantine(
    database_url: str,
    demo_extract: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level("DEBUG")
    messages: list[str] = []
    pipeline.run(
        database_url=database_url,
        nibrs_sources=SAMPLE_NIBRS,
        program_extract_dir=str(demo_extract),
        report=messages.append,
    )
    broken = tmp_path / "broken"
    shutil.copytree(demo_extract, broken)
    participants = (broken / "participants.csv").read_text().splitlines()
    participants.append(participants[1])  # a duplicate person, with all identifiers
    (broken / "participants.csv").write_text("\n".join(participants) + "\n")
    with pytest.raises(pipeline.RunFailed) as failed:
        pipeline.run(
            database_url=database_url,
            nibrs_sources=SAMPLE_NIBRS,
            program_extract_dir=str(broken),
            report=messages.append,
        )

    haystacks = {
        "database": all_published_text(database_url),
        "progress": "\n".join(messages),
        "log": caplog.text,
        "output": capsys.readouterr().out,
        "error": str(failed.value),
        "quarantine": "\n".join(p.read_text() for p in (tmp_path / "quarantine").rglob("*.csv")),
    }
    secrets = secrets_of(demo_extract)
    assert len(secrets) > 300
    for name, text in haystacks.items():
        leaked = [s for s in secrets if s in text]
        assert leaked == [], f"{name} contains person-level values: {leaked[:5]}"


def test_published_counts_reconcile_with_the_generated_extract(
    database_url: str, demo_extract: Path
) -> None:
    summary = run_with_demo(database_url, demo_extract)
    frame = published(database_url, summary.run_id)
    raw = pd.read_csv(demo_extract / "participants.csv", dtype=str, keep_default_na=False)
    raw["referral_date"] = pd.to_datetime(raw["referral_date"])
    raw["quarter"] = raw["referral_date"].dt.to_period("Q").dt.start_time
    lead = raw[raw["cohort"] == "lead"]
    referrals = frame[(frame["indicator_id"] == "referrals") & (frame["breakdown_value"] == "")]
    checked = 0
    for row in referrals[~referrals["is_suppressed"]].itertuples():
        assert row.value == (lead["quarter"] == row.period_start_date).sum(), row
        checked += 1
    assert checked >= 5
    cohorts = frame[frame["indicator_id"] == "participants_by_cohort"].set_index("breakdown_value")
    last_quarter_end = referrals["period_start_date"].max() + pd.offsets.QuarterEnd(0)
    assert cohorts.loc["control", "value"] == (raw["cohort"] == "control").sum()
    assert cohorts.loc["lead", "value"] == (lead["referral_date"] <= last_quarter_end).sum()
    evaluation = lead[lead["referral_date"] <= "2014-07-31"]
    assert len(evaluation) == 203


def _mutated(demo_extract: Path, tmp_path: Path, file_name: str, change: object) -> Path:
    folder = tmp_path / "mutated"
    shutil.copytree(demo_extract, folder)
    frame = pd.read_csv(folder / file_name, dtype=str, keep_default_na=False)
    frame = change(frame)  # type: ignore[operator]
    frame.to_csv(folder / file_name, index=False)
    return folder


def _set(column: str, value: str, row: int = 0):  # type: ignore[no-untyped-def]
    def change(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[row, column] = value
        return frame

    return change


@pytest.mark.parametrize(
    ("file_name", "change", "expected", "secret_value"),
    [
        (
            "participants.csv",
            lambda f: f.drop(columns=["cohort"]),
            r"participants\.csv.*cohort: required column missing",
            None,
        ),
        (
            "participants.csv",
            _set("referral_type", "street_outreach", 3),
            r"participants\.csv, row 5, column referral_type: not one of",
            "street_outreach",
        ),
        (
            "legal_events.csv",
            _set("event_date", "2031-05-17", 2),
            r"legal_events\.csv, row 4, column event_date: (in the future|after the extract date)",
            "2031-05-17",
        ),
        (
            "participants.csv",
            lambda f: pd.concat([f, f.iloc[[7]]], ignore_index=True),
            r"participants\.csv, row 470, column person_id: repeats an earlier row",
            None,
        ),
    ],
    ids=["missing-column", "unknown-referral-type", "future-date", "duplicate-person"],
)
def test_bad_extract_is_rejected_and_previous_program_figures_keep_serving(
    database_url: str,
    demo_extract: Path,
    tmp_path: Path,
    file_name: str,
    change: object,
    expected: str,
    secret_value: str | None,
) -> None:
    good = run_with_demo(database_url, demo_extract)
    before = published(database_url, good.run_id)
    bad = _mutated(demo_extract, tmp_path, file_name, change)

    with pytest.raises(pipeline.RunFailed) as failed:
        run_with_demo(database_url, bad)

    message = str(failed.value)
    assert re.search(expected, message), message
    if secret_value:
        assert secret_value not in message
    assert latest_succeeded_run(database_url) == good.run_id
    after = published(database_url, good.run_id)
    pd.testing.assert_frame_equal(after, before)
    assert (after["indicator_id"] == "referrals").any()
    report = pd.read_csv(
        failed.value.summary.quarantine_files[-1], dtype=str, keep_default_na=False
    )
    assert (report["value"] == "").all()
    assert {"file", "row_number", "column", "reason"} <= set(report.columns)


# --- the attacker: every published program table, relations rebuilt independently ---


def _relations(frame: pd.DataFrame) -> list[list[tuple[tuple[object, ...], int]]]:
    """Linear relations a reader can infer from the tables' meaning (sum(c * x) = 0)."""
    key = lambda row: (row.indicator_id, row.period_start_date, row.breakdown_value)  # noqa: E731
    cells = {key(r): r for r in frame.itertuples()}
    relations: list[list[tuple[tuple[object, ...], int]]] = []
    for indicator_id in ("referrals", "exits", "service_contacts"):
        part = frame[frame["indicator_id"] == indicator_id]
        for period, group in part.groupby("period_start_date"):
            total = (indicator_id, period, "")
            parts = [key(r) for r in group.itertuples() if r.breakdown_value != ""]
            if total in cells and parts:
                relations.append([(total, 1), *((p, -1) for p in parts)])
    cumulative = frame[frame["indicator_id"] == "referrals_cumulative"].sort_values(
        "period_start_date"
    )
    previous = None
    for row in cumulative.itertuples():
        total = ("referrals", row.period_start_date, "")
        terms = [(key(row), 1), (total, -1)]
        if previous is not None:
            terms.append((previous, -1))
        relations.append(terms)
        previous = key(row)
    for indicator_id in frame["indicator_id"].unique():
        if not indicator_id.startswith("participants_by_") or indicator_id.endswith("_pct"):
            continue
        if indicator_id == "participants_by_cohort":
            continue
        part = frame[frame["indicator_id"] == indicator_id]
        for cohort in ("lead", "control"):
            members = [
                key(r) for r in part.itertuples() if r.breakdown_value.startswith(cohort + "|")
            ]
            total_rows = frame[
                (frame["indicator_id"] == "participants_by_cohort")
                & (frame["breakdown_value"] == cohort)
            ]
            total = key(next(total_rows.itertuples()))
            relations.append([(total, 1), *((m, -1) for m in members)])
    return relations


def test_attacker_cannot_recover_any_withheld_program_figure(
    database_url: str, demo_extract: Path
) -> None:
    summary = run_with_demo(database_url, demo_extract)
    frame = published(database_url, summary.run_id)
    program = frame[frame["indicator_id"].isin(PEOPLE_COUNT_INDICATORS | {"service_contacts"})]
    relations = _relations(program)
    known = {
        (r.indicator_id, r.period_start_date, r.breakdown_value): r.value
        for r in program.itertuples()
        if not r.is_suppressed
    }
    unknown = sorted(
        {
            (r.indicator_id, r.period_start_date, r.breakdown_value)
            for r in program.itertuples()
            if r.is_suppressed
        },
        key=str,
    )
    assert unknown, "the demo data should have withheld figures to attack"

    # 1. Differencing: any relation with a single unknown gives it away.
    solved = dict(known)
    recovered = []
    progress = True
    while progress:
        progress = False
        for terms in relations:
            missing = [(k, c) for k, c in terms if k not in solved]
            if len(missing) == 1:
                k, c = missing[0]
                solved[k] = -sum(c2 * solved[k2] for k2, c2 in terms if k2 in solved) / c
                recovered.append(k)
                progress = True
    assert recovered == []

    # 2. Linear programming: the tightest bounds the published figures allow.
    index = {k: i for i, k in enumerate(unknown)}
    rows, rhs = [], []
    for terms in relations:
        if any(k in index for k, _ in terms):
            row = np.zeros(len(unknown))
            constant = 0.0
            for k, c in terms:
                if k in index:
                    row[index[k]] += c
                else:
                    constant += c * known[k]
            rows.append(row)
            rhs.append(-constant)
    pinned = []
    for k, i in index.items():
        objective = np.zeros(len(unknown))
        objective[i] = 1
        low = linprog(objective, A_eq=rows, b_eq=rhs, bounds=(0, None), method="highs")
        high = linprog(-objective, A_eq=rows, b_eq=rhs, bounds=(0, None), method="highs")
        if (
            low.status == 0
            and high.status == 0
            and np.ceil(low.fun - 1e-6) >= np.floor(-high.fun + 1e-6)
        ):
            pinned.append(k)
    assert pinned == []

    # 3. Shares never reveal a withheld count: a published share has a published count.
    demographic_shares = frame["indicator_id"].str.startswith("participants_by_") & frame[
        "indicator_id"
    ].str.endswith("_pct")
    for row in frame[demographic_shares & ~frame["is_suppressed"]].itertuples():
        count = frame[
            (frame["indicator_id"] == row.indicator_id.removesuffix("_pct"))
            & (frame["breakdown_value"] == row.breakdown_value)
        ]
        assert not count["is_suppressed"].iloc[0], row


def _callback_requests(client, prefix: str, values: dict[str, list[object]]):  # type: ignore[no-untyped-def]
    """Every callback whose outputs start with ``prefix`` and whose inputs are controls
    given in ``values``, with every combination of those values and every part opened
    (data table, share panel), as the browser would send them."""
    import itertools

    for dependency in client.get("/_dash-dependencies").get_json():
        output = dependency["output"]
        if not output.lstrip(".").startswith(prefix):
            continue
        outputs = [
            dict(zip(("id", "property"), part.rsplit(".", 1), strict=True))
            for part in output.strip(".").split("...")
        ]
        names = [i["id"] for i in dependency["inputs"]]
        if not all(name in values for name in names):
            continue
        state = [{**item, "value": True} for item in dependency["state"]]
        for combination in itertools.product(*(values[n] for n in names)):
            yield {
                "output": output,
                "outputs": outputs if len(outputs) > 1 else outputs[0],
                "inputs": [
                    {**i, "value": v}
                    for i, v in zip(dependency["inputs"], combination, strict=True)
                ],
                "state": state,
                "changedPropIds": [f"{names[0]}.value"],
            }


def test_enrollment_page_and_callbacks_show_no_person_level_value(
    app,
    database_url: str,
    demo_extract: Path,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    run_with_demo(database_url, demo_extract)
    client = app.server.test_client()
    pages = [
        client.get(path).get_data(as_text=True)
        for path in ("/", "/enrollment", "/data", "/methods")
    ]
    responses = []
    values = {
        "enr-period": ["all", "evaluation"],
        "enr-referral-type": ["all", "arrest_diversion", "social_contact"],
        "enr-dimension": ["gender", "age_band", "race_ethnicity", "housing_at_referral"],
    }
    for body in _callback_requests(client, "enr-", values):
        response = client.post("/_dash-update-component", json=body)
        assert response.status_code == 200, body["output"]
        responses.append(response.get_data(as_text=True))
    assert len(responses) == 2 * 3 + 2 + 2 + 4 + 2 + 2  # every card, every filter value
    text = "\n".join(pages + responses)
    assert "Demonstration data, not real participants" in text
    leaked = [s for s in secrets_of(demo_extract) if s in text]
    assert leaked == []


def test_evaluation_estimates_on_the_demo_extract_passed_suppression(
    database_url: str, demo_extract: Path
) -> None:
    summary = run_with_demo(database_url, demo_extract)
    frame = published(database_url, summary.run_id).set_index("indicator_id")

    for indicator_id in ("arrest_odds_ratio", "arrest_odds_ratio_weighted"):
        rows = frame.loc[[indicator_id]]
        arrest = rows[rows["breakdown_value"].isin(["", "6"])].iloc[0]
        assert not arrest["is_suppressed"]
        assert arrest["lower_bound"] < arrest["value"] < arrest["upper_bound"] < 1
        assert arrest["denominator_n"] <= 203 + 115
    sizes = frame.loc["evaluation_group_size"].set_index("breakdown_value")["value"]
    assert sizes.to_dict() == {"control": 115.0, "lead": 203.0}

    shares = frame.loc[["arrest_share_6m", "felony_charge_share_6m", "housed_share"]]
    shown = shares[~shares["is_suppressed"]]
    people_with = shown["value"] / 100 * shown["denominator_n"]
    assert (shown["denominator_n"] >= THRESHOLD).all()
    assert (people_with.round() >= THRESHOLD).all()
    assert ((shown["denominator_n"] - people_with).round() >= THRESHOLD).all()
    assert (shown["lower_bound"] <= shown["value"]).all()
    assert (shown["value"] <= shown["upper_bound"]).all()
    survival = frame.loc["no_arrest_since_entry_pct"]
    assert not survival["is_suppressed"].any()
    for cohort, size in (("lead", 203), ("control", 115)):
        curve = survival[survival["breakdown_value"].str.startswith(f"{cohort}|")].copy()
        curve["month"] = curve["breakdown_value"].str.split("|").str[1].astype(int)
        curve = curve.sort_values("month")
        # Each step between shown points counts at least the threshold of arrests.
        remaining = (curve["value"] / 100 * size).round()
        assert (-remaining.diff().dropna() >= THRESHOLD).all()
        known = curve["denominator_n"].dropna()
        assert (known >= THRESHOLD).all() and (-known.diff().dropna() >= THRESHOLD).all()


DRUG_SHARES = ("drug_use_assessed_share", "any_treatment_share", "medication_treatment_share")
DRUG_MEANS = ("days_of_use", "days_of_use_change_12m")
HEALTH = ("health_events_per_person_year", "health_event_rate_ratio")


def test_drug_use_and_health_figures_from_the_demo_extract_passed_suppression(
    database_url: str, demo_extract: Path
) -> None:
    summary = run_with_demo(database_url, demo_extract)
    frame = published(database_url, summary.run_id)
    drug = frame[frame["indicator_id"].isin(DRUG_SHARES + DRUG_MEANS + HEALTH)]
    assert set(drug["indicator_id"]) == set(DRUG_SHARES + DRUG_MEANS + HEALTH)
    withheld = drug[drug["is_suppressed"]]
    assert withheld[["value", "lower_bound", "upper_bound", "denominator_n"]].isna().all().all()
    shown = drug[~drug["is_suppressed"]]
    assert (shown["denominator_n"] >= THRESHOLD).all()
    shares = shown[shown["indicator_id"].isin(DRUG_SHARES)]
    people_with = shares["value"] / 100 * shares["denominator_n"]
    assert (people_with.round() >= THRESHOLD).all()
    assert ((shares["denominator_n"] - people_with).round() >= THRESHOLD).all()
    assert (shown["lower_bound"] <= shown["value"]).all()
    assert (shown["value"] <= shown["upper_bound"]).all()
    # The demonstration generator's assumptions: use falls, treatment rises, overdoses fall.
    change = shown[shown["indicator_id"] == "days_of_use_change_12m"].set_index("breakdown_value")
    assert change.loc["opioids", "upper_bound"] < 0
    overdoses = shown[
        (shown["indicator_id"] == "health_event_rate_ratio")
        & (shown["breakdown_value"] == "overdose_nonfatal")
    ]
    assert float(overdoses["upper_bound"].iloc[0]) < 1
    treated = shown[shown["indicator_id"] == "any_treatment_share"].set_index("breakdown_value")
    assert treated.loc["12", "value"] > treated.loc["-1", "value"]


def test_an_extract_without_health_events_or_drug_use_columns_still_runs(
    database_url: str,
    demo_extract: Path,
    tmp_path: Path,
    app: object,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    extract = tmp_path / "extract"
    shutil.copytree(demo_extract, extract)
    (extract / "health_events.csv").unlink()
    summary = run_with_demo(database_url, extract)
    ids = set(published(database_url, summary.run_id)["indicator_id"])
    assert "days_of_use" in ids and not ids & set(HEALTH)

    monkeypatch.setenv("DATABASE_URL", database_url)
    client = app.server.test_client()  # type: ignore[attr-defined]
    page = json.dumps(render_page(client, "/drug-use"))
    assert "Not provided: the program extract in this data version has no overdoses and " in page

    status = pd.read_csv(extract / "monthly_status.csv", dtype=str, keep_default_na=False)
    keep = ["person_id", "month", "housing_status", "employment_status", "has_income_or_benefits"]
    status[keep].to_csv(extract / "monthly_status.csv", index=False)
    second = run_with_demo(database_url, extract)
    ids = set(published(database_url, second.run_id)["indicator_id"])
    assert not ids & set(DRUG_SHARES + DRUG_MEANS + HEALTH)
    assert "housed_share" in ids


def test_finance_figures_follow_the_published_cost_per_person_month(
    database_url: str, demo_extract: Path
) -> None:
    summary = run_with_demo(database_url, demo_extract)
    frame = published(database_url, summary.run_id)
    cost = frame[frame["indicator_id"] == "finance_cost_per_participant_month"]
    cost = cost[~cost["is_suppressed"]].sort_values("period_start_date")
    assert 820 <= cost["value"].iloc[0] <= 980  # published: about $899 at the start
    assert 480 <= cost["value"].iloc[-1] <= 590  # published: $532 towards the end
    share = frame[frame["indicator_id"] == "public_funding_share"].sort_values("period_start_date")
    assert share["value"].iloc[0] == 0 and share["value"].iloc[-1] > 50
    received = frame[(frame["indicator_id"] == "funding_received") & ~frame["is_suppressed"]]
    totals = received[received["breakdown_value"] == ""].set_index("period_start_date")["value"]
    parts = received[received["breakdown_value"] != ""].groupby("period_start_date")["value"].sum()
    pd.testing.assert_series_equal(
        totals.sort_index(), parts.sort_index(), check_names=False, rtol=1e-9
    )


@pytest.mark.parametrize(
    ("row", "rule"),
    [
        ("2014-03,spent,,lobbying,100.00", "column spending_category: not one of"),
        ("2014-03,spent,,housing,-100.00", "column amount_usd: negative"),
        ("2014-03,received,city,,5.00", "column month: a second row for the same month"),
    ],
)
def test_a_bad_finance_extract_is_rejected_and_the_published_figures_keep_serving(
    database_url: str, demo_extract: Path, tmp_path: Path, row: str, rule: str
) -> None:
    good = run_with_demo(database_url, demo_extract)
    before = published(database_url, good.run_id)
    extract = tmp_path / "extract"
    shutil.copytree(demo_extract, extract)
    with (extract / "finance.csv").open("a", encoding="utf-8") as handle:
        handle.write(row + "\n")
    lines = (extract / "finance.csv").read_text(encoding="utf-8").splitlines()
    with pytest.raises(pipeline.RunFailed) as failed:
        run_with_demo(database_url, extract)
    assert f"finance.csv, row {len(lines)}, {rule}" in failed.value.summary.message
    assert "lobbying" not in failed.value.summary.message
    assert latest_succeeded_run(database_url) == good.run_id
    pd.testing.assert_frame_equal(before, published(database_url, good.run_id))


def test_a_late_entry_leaves_its_released_quarter_alone_until_a_new_series(
    demo_extract: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.integration.helpers import extract_as_of

    url = f"sqlite:///{tmp_path / 'lead.db'}"
    people = pd.read_csv(demo_extract / "participants.csv", dtype=str, keep_default_na=False)
    lead = people[people["cohort"] == "lead"].sort_values("referral_date")
    late = set(lead.loc[lead["referral_date"] <= "2016-09-30", "person_id"].tail(3))
    first = extract_as_of(demo_extract, tmp_path / "first", "2016-09-30")
    for path in first.glob("*.csv"):  # the three were entered late: not in this extract
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        if "person_id" in frame.columns:
            frame[~frame["person_id"].isin(late)].to_csv(path, index=False)
    second = extract_as_of(demo_extract, tmp_path / "second", "2016-09-30")

    def referrals_q3(extract: Path) -> float:
        frame = published(url, run_with_demo(url, extract).run_id)
        row = frame[
            (frame["indicator_id"] == "referrals_cumulative")
            & (frame["period_start_date"] == pd.Timestamp("2016-07-01"))
        ]
        return float(row["value"].iloc[0])

    released = referrals_q3(first)
    assert referrals_q3(second) == released  # the closed quarter is as released
    monkeypatch.setenv("PROGRAM_NEW_RELEASE_SERIES", "true")
    assert referrals_q3(second) == released + 3  # afresh: the late entries count
