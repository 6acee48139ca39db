"""The whole published data version as one zip: a CSV per indicator, a Frictionless
``datapackage.json`` describing them, and a README with definitions and citation."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from dashboard import data
from dashboard.api import (
    DOWNLOAD_PREFIX,
    FIELDS,
    ObservationQuery,
    csv_text,
    indicator_document,
    select_observations,
    servable_indicators,
)
from dashboard.citation import PUBLISHER, citation_texts
from etl.estimands import estimand_lines
from etl.sources.common import display_name

FRICTIONLESS_TYPES = {"string": "string", "date": "date", "number": "number"}
FRICTIONLESS_TYPES |= {"integer": "integer", "boolean": "boolean"}


def table_schema() -> dict[str, Any]:
    """The Table Schema every indicator CSV follows (same columns as the API)."""
    return {
        "fields": [
            {"name": name, "type": FRICTIONLESS_TYPES[kind], "description": text}
            for name, _column, kind, text in FIELDS
        ],
        "missingValues": [""],
        "primaryKey": ["indicator_id", "area", "period_start", "breakdown_value"],
    }


def descriptor(run: data.PublishedRun, base_url: str) -> dict[str, Any]:
    """``datapackage.json`` (Frictionless Data Package v1) for ``run``."""
    documents = [indicator_document(run, m) for m in servable_indicators(run)]
    url = f"{base_url}{DOWNLOAD_PREFIX}/bundle.zip?run={run.run_id}"
    return {
        "profile": "tabular-data-package",
        "name": f"belltown-lead-{run.run_id.lower()}",
        "title": "Belltown LEAD transparency dashboard: published figures",
        "description": (
            "Aggregate figures on Seattle's Law Enforcement Assisted Diversion (LEAD) program "
            "in Belltown and on Belltown's neighborhood indicators. No person-level record; "
            "small counts are withheld (empty value, is_suppressed true)."
            + (" Includes SYNTHETIC demonstration data." if run.is_synthetic else "")
        ),
        "version": run.run_id,
        "created": run.finished_at.isoformat(),
        "homepage": base_url + "/data",
        "sources": [
            {"title": f"{s.publisher}: {s.title}", "path": display_name(s.location)}
            for s in {(s.publisher, s.title): s for s in run.sources}.values()
        ],
        "licenses": [
            {
                "name": "other-at",
                "title": "Aggregates of City of Seattle open data and of program records; "
                "see each resource's sources for their terms",
            }
        ],
        "resources": [
            {
                "name": document["indicator_id"],
                "path": f"data/{document['indicator_id']}.csv",
                "title": document["title"],
                "description": document["description"],
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "profile": "tabular-data-resource",
                "schema": table_schema(),
                "sources": [
                    {"title": f"{s['publisher']}: {s['title']}", "path": s["location"]}
                    for s in document["sources"]
                ],
                "lead:unit": document["unit"],
                "lead:methodology": document["methodology"],
                "lead:caveats": document["caveats"],
                "lead:estimand": document["estimand"],
                "lead:suppression_rule": document["suppression_rule"],
                "lead:is_synthetic": document["is_synthetic"],
                "lead:coverage": document["coverage"],
            }
            for document in documents
        ],
        "lead:citation": citation_texts(
            "Published figures (data bundle)", url, run, synthetic=run.is_synthetic
        ),
    }


def readme(run: data.PublishedRun, package: dict[str, Any]) -> str:
    lines = [
        f"# {package['title']}",
        "",
        f"Data version {run.run_id}, refreshed {run.finished_at:%Y-%m-%d %H:%M} UTC.",
        "",
        package["description"],
        "",
        "Each file in `data/` is one indicator, with the columns described in",
        "`datapackage.json` (a Frictionless Data Package). A withheld value is an empty cell",
        "with `is_suppressed` = true: it is never a zero. `lower_bound`/`upper_bound` are 95%",
        "intervals where the figure has one; `n` is the number of people or records behind it.",
        "",
        "## How to cite",
        "",
        package["lead:citation"]["full"],
        "",
        "## Indicators",
        "",
    ]
    for resource in package["resources"]:
        lines += [
            f"### {resource['title']} (`{resource['path']}`)",
            "",
            f"- Definition: {resource['description']}",
            f"- Unit: {resource['lead:unit']}",
            f"- Method: {resource['lead:methodology']}",
            f"- Caveats: {resource['lead:caveats'] or 'none recorded'}",
            *(f"- {line}" for line in _estimand_lines(resource["lead:estimand"])),
            f"- Privacy: {resource['lead:suppression_rule']}",
            "- Sources: " + "; ".join(s["title"] for s in resource["sources"]),
            "",
        ]
    lines += [f"Published by the {PUBLISHER}.", ""]
    return "\n".join(lines)


def bundle_bytes(run: data.PublishedRun, base_url: str) -> bytes:
    package = descriptor(run, base_url)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for resource in package["resources"]:
            frame, _ = select_observations(
                run.run_id, ObservationQuery(indicator_id=resource["name"], limit=None)
            )
            archive.writestr(resource["path"], csv_text(frame))
        archive.writestr("datapackage.json", json.dumps(package, indent=2, ensure_ascii=False))
        archive.writestr("README.md", readme(run, package))
    return buffer.getvalue()


def _estimand_lines(estimand: dict[str, str] | None) -> list[str]:
    if estimand is None:
        return []
    return estimand_lines({f"estimand_{k}": v for k, v in estimand.items() if k != "compares"})
