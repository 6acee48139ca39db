"""The read-only open-data API (``/api/v1/``) and the downloads (``/download/``).

Every view of the published tables is also JSON and CSV (Datasette's rule), and every
download carries what a citation needs: source, license, definitions, data version and
refresh time. Only published rows are ever read: a withheld value is NULL in the database
and goes out as an empty cell / ``null`` with ``is_suppressed`` true, never as a zero.

Parameters are checked against an allow-list; a bad one gets a 400 with a JSON body naming
it, an unknown indicator or run a 404, and nothing ever returns a traceback. Results are
paged (``limit`` at most :data:`MAX_LIMIT`). GET responses are open to any origin (CORS)
and carry ``Cache-Control`` and an ``ETag`` (the data only change with a new run).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

import pandas as pd
from flask import Blueprint, Flask, Response, request
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from dashboard import data
from dashboard.citation import citation_texts
from etl import settings
from etl.estimands import ESTIMAND_KINDS, estimand_lines
from etl.models import Observation
from etl.sources.common import display_name
from etl.spreadsheet import neutralized, safe_for_spreadsheets

API_PREFIX = "/api/v1"
DOWNLOAD_PREFIX = "/download"
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
PROGRAM_SOURCE_PREFIX = "program_"
CACHE_SECONDS = 300
PUBLISHER = "Belltown LEAD transparency dashboard"
LICENCE_NOTE = (
    "Aggregates published by this dashboard. Neighborhood figures derive from City of "
    "Seattle open data; check each source's license below before republishing."
)
# The API's name for each published observation column (``denominator_n`` -> ``n``).
FIELDS = (
    ("indicator_id", "indicator_id", "string", "The indicator this value belongs to."),
    ("area", "area", "string", "Area (e.g. a neighborhood) or group (e.g. LEAD, control)."),
    ("period_start", "period_start_date", "date", "First day of the period."),
    ("period_grain", "period_grain", "string", "Length of the period (month, year, ...)."),
    ("breakdown_name", "breakdown_name", "string", "Name of the breakdown, empty if none."),
    ("breakdown_value", "breakdown_value", "string", "Breakdown category, empty = all."),
    ("value", "value", "number", "The value; empty when withheld (is_suppressed true)."),
    ("lower_bound", "lower_bound", "number", "Lower end of the 95% interval, if any."),
    ("upper_bound", "upper_bound", "number", "Upper end of the 95% interval, if any."),
    ("n", "denominator_n", "integer", "Number of people or records behind the value."),
    ("is_suppressed", "is_suppressed", "boolean", "True when withheld to protect privacy."),
)
FIELD_NAMES = tuple(name for name, *_ in FIELDS)
# Parameter syntax, written once: the checks below and the OpenAPI document
# (dashboard/openapi.py) use the same patterns, so the document says exactly what is taken.
MAX_OFFSET = 10_000_000
INDICATOR_PATTERN = r"[a-z0-9_]{1,96}"
RUN_PATTERN = r"[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}"
PERIOD_PATTERN = r"([0-9]{4})(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12][0-9]|3[01]))?)?"
TEXT_PATTERN = r"[^\x00-\x1f]{1,128}"
INDICATOR_ID = re.compile(INDICATOR_PATTERN)
RUN_ID = re.compile(RUN_PATTERN)
PERIOD = re.compile(PERIOD_PATTERN, re.ASCII)
TEXT_VALUE = re.compile(TEXT_PATTERN)

api = Blueprint("api", __name__)
Args = MultiDict[str, str]


class ApiError(HTTPException):
    """A client error answered as JSON: ``{"error": {"status", "message", "parameter"}}``."""

    def __init__(self, status: int, message: str, parameter: str | None = None) -> None:
        super().__init__(description=message)
        self.code = status
        self.parameter = parameter


def error_response(status: int, message: str, parameter: str | None = None) -> Response:
    body: dict[str, Any] = {"status": status, "message": message}
    if parameter is not None:
        body["parameter"] = parameter
    response = Response(json.dumps({"error": body}), status=status, mimetype="application/json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "no-store"
    return response


# --- parameters ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ObservationQuery:
    indicator_id: str
    areas: tuple[str, ...] = ()
    breakdowns: tuple[str, ...] = ()
    breakdown_prefix: str = ""
    start: date | None = None
    end: date | None = None
    limit: int | None = DEFAULT_LIMIT  # None = every row (downloads)
    offset: int = 0

    def as_params(self) -> dict[str, str]:
        """The query string that gives this selection (for links and ``next``)."""
        params = {"indicator": self.indicator_id}
        if self.areas:
            params["area"] = ",".join(self.areas)
        if self.breakdowns:
            params["breakdown"] = ",".join(self.breakdowns)
        if self.breakdown_prefix:
            params["breakdown_prefix"] = self.breakdown_prefix
        if self.start:
            params["from"] = self.start.isoformat()
        if self.end:
            params["to"] = self.end.isoformat()
        return params


def _check_names(allowed: Iterable[str], args: Args | None = None) -> None:
    args = request.args if args is None else args
    unknown = sorted(set(args) - set(allowed))
    if unknown:
        raise ApiError(
            400,
            f"unknown parameter {unknown[0]!r}; allowed: {', '.join(sorted(allowed))}",
            unknown[0],
        )
    for name in args:
        if len(args.getlist(name)) > 1:
            raise ApiError(400, f"{name!r} given more than once; use commas instead", name)


def _text_list(args: Args, name: str) -> tuple[str, ...]:
    raw = args.get(name)
    if raw is None:
        return ()
    values = tuple(v.strip() for v in raw.split(","))
    if not values or any(not TEXT_VALUE.fullmatch(v) for v in values) or len(values) > 50:
        raise ApiError(400, f"{name!r} must be a comma-separated list of values", name)
    return values


def _period(args: Args, name: str, *, end: bool) -> date | None:
    raw = args.get(name)
    if raw is None:
        return None
    match = PERIOD.fullmatch(raw)
    if match is None or int(match.group(1)) < 1:
        raise ApiError(400, f"{name!r} must be a date: YYYY, YYYY-MM or YYYY-MM-DD", name)
    year, month, day = match.groups()
    if month is None:
        return date(int(year), 12 if end else 1, 31 if end else 1)
    first = date(int(year), int(month), 1)
    month_end = (pd.Timestamp(first) + pd.offsets.MonthEnd(0)).date()
    if day is None:
        return month_end if end else first
    # A day past the month's end (2021-02-30) means its last day.
    return date(int(year), int(month), min(int(day), month_end.day))


def _prefix(args: Args) -> str:
    raw = args.get("breakdown_prefix")
    if raw is None:
        return ""
    if not TEXT_VALUE.fullmatch(raw):
        raise ApiError(400, "'breakdown_prefix' must be 1 to 128 characters", "breakdown_prefix")
    return raw


def _integer(args: Args, name: str, default: int, low: int, high: int) -> int:
    raw = args.get(name)
    if raw is None:
        return default
    if not re.fullmatch(r"[0-9]{1,12}", raw) or not low <= int(raw) <= high:
        raise ApiError(400, f"{name!r} must be a whole number from {low} to {high}", name)
    return int(raw)


def _run() -> data.PublishedRun:
    """The run asked for (``run=``, while it is retained) or the published one."""
    raw = request.args.get("run")
    if raw is None:
        run = data.published_run()
        if run is None:
            raise ApiError(503, "no data has been published yet")
        return run
    if not RUN_ID.fullmatch(raw):
        raise ApiError(400, "'run' must be a data version like 20261128T194119Z-e4fbaf", "run")
    run = data.retained_run(raw)
    if run is None:
        raise ApiError(404, f"data version {raw} is not (or no longer) available", "run")
    return run


def servable(run: data.PublishedRun, meta: Mapping[str, str]) -> bool:
    """Whether an indicator of ``run`` may be served.

    The published version: every indicator. An earlier retained version: neighborhood
    indicators only. Program figures of two versions could be differenced (a count that
    rose by 3 names 3 new people), and each version is suppressed on its own, so earlier
    versions of program figures are never served.
    """
    published = data.published_run()
    if published is not None and run.run_id == published.run_id:
        return True
    return not any(s.startswith(PROGRAM_SOURCE_PREFIX) for s in meta["source_ids"].split(","))


def servable_indicators(run: data.PublishedRun) -> list[dict[str, str]]:
    return [meta for meta in data.indicators(run.run_id) if servable(run, meta)]


def _indicator(run: data.PublishedRun, indicator_id: str, parameter: str | None) -> dict[str, str]:
    if not INDICATOR_ID.fullmatch(indicator_id):
        raise ApiError(400 if parameter else 404, "not an indicator id", parameter)
    meta = data.indicator(run.run_id, indicator_id)
    if meta is not None and not servable(run, meta):
        raise ApiError(
            404,
            f"program figures are served for the published data version only, not for "
            f"{run.run_id} (two versions could be compared to reveal withheld counts)",
            "run",
        )
    if meta is None:
        raise ApiError(
            404,
            f"no indicator {indicator_id!r} in data version {run.run_id}; "
            f"see {API_PREFIX}/indicators",
            parameter,
        )
    return meta


def observation_query(args: Args, paged: bool) -> ObservationQuery:
    allowed = {"indicator", "area", "breakdown", "breakdown_prefix", "from", "to", "run"}
    if paged:
        allowed |= {"limit", "offset", "format"}
    _check_names(allowed, args)
    indicator_id = args.get("indicator")
    if indicator_id is None:
        raise ApiError(400, "'indicator' is required", "indicator")
    start = _period(args, "from", end=False)
    end = _period(args, "to", end=True)  # 'from' after 'to' selects nothing
    return ObservationQuery(
        indicator_id=indicator_id,
        areas=_text_list(args, "area"),
        breakdowns=_text_list(args, "breakdown"),
        breakdown_prefix=_prefix(args),
        start=start,
        end=end,
        limit=_integer(args, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT) if paged else None,
        offset=_integer(args, "offset", 0, 0, MAX_OFFSET) if paged else 0,
    )


# --- reading ---------------------------------------------------------------------------------


def select_observations(run_id: str, query: ObservationQuery) -> tuple[pd.DataFrame, int]:
    """The selected rows (API field names, in a stable order) and how many match in all."""
    where = [Observation.run_id == run_id, Observation.indicator_id == query.indicator_id]
    # Case does not matter: ``area=BELLTOWN`` and ``area=belltown`` are the same filter.
    if query.areas:
        where.append(func.lower(Observation.area).in_([a.lower() for a in query.areas]))
    if query.breakdowns:
        lowered = [b.lower() for b in query.breakdowns]
        where.append(func.lower(Observation.breakdown_value).in_(lowered))
    if query.breakdown_prefix:
        where.append(
            Observation.breakdown_value.startswith(query.breakdown_prefix, autoescape=True)
        )
    if query.start:
        where.append(Observation.period_start_date >= query.start)
    if query.end:
        where.append(Observation.period_start_date <= query.end)
    columns = [getattr(Observation, column) for _, column, *_ in FIELDS]
    statement = (
        select(*columns)
        .where(*where)
        .order_by(
            Observation.area,
            Observation.breakdown_value,
            Observation.period_start_date,
            Observation.observation_id,
        )
    )
    if query.limit is not None:
        statement = statement.limit(query.limit).offset(query.offset)
    with data.engine().connect() as conn:
        total = conn.execute(select(func.count()).select_from(Observation).where(*where)).scalar()
        frame = pd.DataFrame(conn.execute(statement).all(), columns=list(FIELD_NAMES))
    frame["period_start"] = pd.to_datetime(frame["period_start"]).dt.date
    frame["is_suppressed"] = frame["is_suppressed"].astype(bool)
    return frame, int(total or 0)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts: NaN -> null, dates ISO, counts as integers."""
    out: list[dict[str, Any]] = []
    for row in frame.itertuples(index=False):
        item: dict[str, Any] = {}
        for name, value in zip(FIELD_NAMES, row, strict=True):
            if value is None or (isinstance(value, float) and pd.isna(value)):
                item[name] = None
            elif isinstance(value, date):
                item[name] = value.isoformat()
            elif name == "n":
                item[name] = int(value)
            elif name == "is_suppressed":
                item[name] = bool(value)
            elif name in ("value", "lower_bound", "upper_bound"):
                item[name] = float(value)
            else:
                item[name] = str(value)
        out.append(item)
    return out


def source_item(source: data.SourceRecord) -> dict[str, Any]:
    """A source as the API, downloads and data package describe it (file name, not path)."""
    return {
        "source_id": source.source_id,
        "title": source.title,
        "publisher": source.publisher,
        "location": display_name(source.location),
        "licence": source.licence,
        "is_synthetic": source.is_synthetic,
        "period_covered": {
            "first_month": _iso(source.coverage_first_month),
            "last_month": _iso(source.coverage_last_month),
            "areas": [a for a in source.coverage_areas.split(",") if a],
        },
    }


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def source_rows(run: data.PublishedRun, meta: Mapping[str, str]) -> list[dict[str, Any]]:
    wanted = set(meta["source_ids"].split(","))
    return [source_item(s) for s in run.sources if s.source_id in wanted]


def indicator_document(run: data.PublishedRun, meta: Mapping[str, str]) -> dict[str, Any]:
    """An indicator's metadata, coverage and links, as the API and datapackage give it."""
    indicator_id = meta["indicator_id"]
    coverage = data.coverage(run.run_id, indicator_id)
    sources = source_rows(run, meta)
    query = urlencode({"indicator": indicator_id, "run": run.run_id})
    return {
        "indicator_id": indicator_id,
        "title": meta["title"],
        "unit": meta["unit"],
        "description": meta["description"],
        "methodology": meta["methodology"],
        "caveats": meta["caveats"],
        "estimand": estimand_document(meta),
        "suppression_rule": meta["suppression_rule"],
        "sources": sources,
        "is_synthetic": any(s["is_synthetic"] for s in sources),
        "coverage": coverage,
        "links": {
            "observations": f"{API_PREFIX}/observations?{query}",
            "csv": f"{DOWNLOAD_PREFIX}/{indicator_id}.csv?run={run.run_id}",
            "xlsx": f"{DOWNLOAD_PREFIX}/{indicator_id}.xlsx?run={run.run_id}",
        },
    }


def estimand_document(meta: Mapping[str, str]) -> dict[str, str] | None:
    """What an effect indicator compares (None for a figure that is not an effect)."""
    kind = meta.get("estimand_kind", "")
    if not kind:
        return None
    return {
        "kind": kind,
        "compares": ESTIMAND_KINDS.get(kind, kind),
        "outcome": meta.get("estimand_outcome", ""),
        "window": meta.get("estimand_window", ""),
        "groups": meta.get("estimand_groups", ""),
        "adjusted_for": meta.get("estimand_adjusted_for", ""),
    }


def run_document(run: data.PublishedRun) -> dict[str, Any]:
    """A version's sources. Row counts and latest-record months of program files are given
    for the published version only: two versions' counts could be differenced (e.g. one
    new participant)."""
    published = data.published_run()
    is_published = published is not None and published.run_id == run.run_id
    sources = []
    for s in run.sources:
        item = source_item(s)
        if is_published or not s.source_id.startswith(PROGRAM_SOURCE_PREFIX):
            item["rows_accepted"] = s.rows_accepted
            item["latest_record"] = s.watermark.date().isoformat() if s.watermark else None
        sources.append(item)
    return {
        "run_id": run.run_id,
        "published_at": run.finished_at.isoformat(),
        "is_synthetic": run.is_synthetic,
        "sources": sources,
    }


# --- responses -------------------------------------------------------------------------------


def _json(document: Any, status: int = 200) -> Response:
    response = Response(
        json.dumps(document, ensure_ascii=False, separators=(",", ":")),
        status=status,
        mimetype="application/json",
    )
    return _cacheable(response)


def _cacheable(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    response.add_etag()
    response.make_conditional(request)
    return response


def csv_text(
    frame: pd.DataFrame, header_lines: Iterable[str] = (), columns: Iterable[str] = FIELD_NAMES
) -> str:
    """CSV of API fields; withheld values are empty cells (with ``is_suppressed`` true).

    ``header_lines`` go first as ``# `` comment lines (read with ``comment="#"``).
    """
    buffer = io.StringIO(newline="")
    for line in header_lines:
        buffer.write(f"# {line}\n")
    writer = csv.writer(buffer, lineterminator="\n")
    names = list(columns)
    writer.writerow(names)
    for row in records(frame):
        writer.writerow(["" if row[n] is None else _csv_value(row[n]) for n in names])
    return buffer.getvalue()


def _csv_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.10g}"
    if isinstance(value, str):
        return str(neutralized(value))  # never a formula in a spreadsheet
    return str(value)


def provenance_lines(
    run: data.PublishedRun, meta: Mapping[str, str], query: ObservationQuery, url: str
) -> list[str]:
    """The sidecar a download carries: what, from where, under which terms, which version."""
    sources = source_rows(run, meta)
    synthetic = any(s["is_synthetic"] for s in sources)
    lines = [
        f"{meta['title']} ({meta['indicator_id']}); unit: {meta['unit']}",
        f"Definition: {meta['description']}",
        f"Method: {meta['methodology']}",
        f"Caveats: {meta['caveats'] or 'none recorded'}",
        *estimand_lines(dict(meta)),
        f"Privacy: {meta['suppression_rule']} Withheld values are empty, with is_suppressed=true.",
        *(f"Source: {_source_text(s)} " + s["licence"] for s in sources),
        f"Data version: {run.run_id}, refreshed {run.finished_at:%Y-%m-%d %H:%M} UTC",
        f"Selection: {urlencode(query.as_params()) or 'everything'}",
        f"Cite as: {citation_texts(meta['title'], url, run, synthetic=synthetic)['short']}",
    ]
    if synthetic:
        lines.insert(0, "SYNTHETIC DEMONSTRATION DATA: not real people or records.")
    return [line.replace("\n", " ") for line in lines]


def _source_text(source: Mapping[str, Any]) -> str:
    """``"City of Seattle: SPD Crime Data (a.csv; covers January 2008 to August 2021)."``"""
    covered = source["period_covered"]
    where = source["location"]
    if covered["first_month"] and covered["last_month"]:
        first = date.fromisoformat(covered["first_month"])
        last = date.fromisoformat(covered["last_month"])
        where += f"; covers {first:%B %Y} to {last:%B %Y}"
        if covered["areas"]:
            where += f" for {', '.join(a.title() for a in covered['areas'])}"
    return f"{source['publisher']}: {source['title']} ({where})."


def xlsx_bytes(frame: pd.DataFrame, lines: list[str]) -> bytes:
    """A workbook: sheet "data" (API fields, withheld = empty) and sheet "about"."""
    buffer = io.BytesIO()
    table = pd.DataFrame(records(frame), columns=list(FIELD_NAMES))
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        safe_for_spreadsheets(table).to_excel(writer, sheet_name="data", index=False)
        about = safe_for_spreadsheets(pd.DataFrame({"about": lines}))
        about.to_excel(writer, sheet_name="about", index=False)
    return buffer.getvalue()


def _download_name(meta: Mapping[str, str], run: data.PublishedRun, extension: str) -> str:
    return f"belltown-lead_{meta['indicator_id']}_{run.run_id}.{extension}"


# --- routes ----------------------------------------------------------------------------------


@api.route(f"{API_PREFIX}/", methods=["GET"])
@api.route(API_PREFIX, methods=["GET"])
def index() -> Response:
    _check_names(())
    return _json(
        {
            "name": PUBLISHER,
            "version": "1",
            "documentation": "/api",
            "openapi": f"{API_PREFIX}/openapi.json",
            "endpoints": {
                "indicators": f"{API_PREFIX}/indicators",
                "observations": f"{API_PREFIX}/observations?indicator=<id>",
                "runs": f"{API_PREFIX}/runs",
                "bundle": f"{DOWNLOAD_PREFIX}/bundle.zip",
            },
        }
    )


@api.route(f"{API_PREFIX}/openapi.json", methods=["GET"])
def openapi_spec() -> Response:
    from dashboard.openapi import spec  # noqa: PLC0415 -- keeps the spec out of page loads

    _check_names(())
    return _json(spec())


@api.route(f"{API_PREFIX}/indicators", methods=["GET"])
def list_indicators() -> Response:
    _check_names({"run"})
    run = _run()
    return _json(
        {
            "run": {"run_id": run.run_id, "published_at": run.finished_at.isoformat()},
            "indicators": [indicator_document(run, m) for m in servable_indicators(run)],
        }
    )


@api.route(f"{API_PREFIX}/indicators/<indicator_id>", methods=["GET"])
def one_indicator(indicator_id: str) -> Response:
    _check_names({"run"})
    run = _run()
    return _json(indicator_document(run, _indicator(run, indicator_id, None)))


@api.route(f"{API_PREFIX}/observations", methods=["GET"])
def list_observations() -> Response:
    query = observation_query(request.args, paged=True)
    output = request.args.get("format", "json")
    if output not in ("json", "csv"):
        raise ApiError(400, "'format' must be json or csv", "format")
    run = _run()
    meta = _indicator(run, query.indicator_id, "indicator")
    frame, total = select_observations(run.run_id, query)
    if output == "csv":
        response = Response(csv_text(frame), mimetype="text/csv")
        response.headers["X-Total-Count"] = str(total)
        return _cacheable(response)
    following = None
    if query.limit is not None and query.offset + query.limit < total:
        params = {
            **query.as_params(),
            "run": run.run_id,
            "limit": str(query.limit),
            "offset": str(query.offset + query.limit),
        }
        following = f"{API_PREFIX}/observations?{urlencode(params)}"
    return _json(
        {
            "indicator_id": meta["indicator_id"],
            "run_id": run.run_id,
            "total": total,
            "limit": query.limit,
            "offset": query.offset,
            "next": following,
            "observations": records(frame),
        }
    )


@api.route(f"{API_PREFIX}/runs", methods=["GET"])
def list_runs() -> Response:
    _check_names(())
    return _json({"runs": data.run_history()})


@api.route(f"{API_PREFIX}/runs/<run_id>", methods=["GET"])
def one_run(run_id: str) -> Response:
    _check_names(())
    if not RUN_ID.fullmatch(run_id):
        raise ApiError(404, "not a data version id")
    run = data.retained_run(run_id)
    if run is None:
        raise ApiError(404, f"data version {run_id} is not (or no longer) available")
    return _json(run_document(run))


@api.route(f"{API_PREFIX}/runs/<run_id>/changes", methods=["GET"])
def run_changes(run_id: str) -> Response:
    _check_names(())
    if not RUN_ID.fullmatch(run_id) or data.retained_run(run_id) is None:
        raise ApiError(404, f"data version {run_id} is not (or no longer) available")
    return _json(data.changes(run_id))


@api.route(f"{DOWNLOAD_PREFIX}/<indicator_id>.<extension>", methods=["GET"])
def download(indicator_id: str, extension: str) -> Response:
    if extension not in ("csv", "xlsx"):
        raise ApiError(404, "downloads are .csv or .xlsx")
    if not INDICATOR_ID.fullmatch(indicator_id):
        raise ApiError(404, "not an indicator id")
    args = MultiDict(request.args)
    if "indicator" in args:
        raise ApiError(400, "the indicator is in the path; drop 'indicator'", "indicator")
    args["indicator"] = indicator_id
    query = observation_query(args, paged=False)
    run = _run()
    meta = _indicator(run, indicator_id, None)
    frame, _ = select_observations(run.run_id, query)
    lines = provenance_lines(run, meta, query, request.url)
    if extension == "csv":
        response = Response(csv_text(frame, lines), mimetype="text/csv")
    else:
        response = Response(
            xlsx_bytes(frame, lines),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{_download_name(meta, run, extension)}"'
    )
    return _cacheable(response)


@api.route(f"{DOWNLOAD_PREFIX}/bundle.zip", methods=["GET"])
def bundle() -> Response:
    _check_names({"run"})
    run = _run()
    from dashboard.datapackage import bundle_bytes  # noqa: PLC0415 -- only for this route

    response = Response(bundle_bytes(run, settings.public_base_url()), mimetype="application/zip")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="belltown-lead_{run.run_id}.zip"'
    )
    return _cacheable(response)


def is_api_path(path: str) -> bool:
    return path == API_PREFIX or path.startswith((f"{API_PREFIX}/", f"{DOWNLOAD_PREFIX}/"))


def install(server: Flask) -> None:
    """Register the API and download routes and their JSON error handling."""
    server.register_blueprint(api)
