"""The OpenAPI 3.1 description of ``/api/v1/`` (served at ``/api/v1/openapi.json``).

Tests validate the spec itself and every API response against it, so the two cannot drift.
"""

from __future__ import annotations

from typing import Any

from dashboard.api import (
    API_PREFIX,
    DEFAULT_LIMIT,
    FIELDS,
    INDICATOR_PATTERN,
    MAX_LIMIT,
    MAX_OFFSET,
    PERIOD_PATTERN,
    RUN_PATTERN,
    TEXT_PATTERN,
)

JSON_TYPES = {"string": "string", "date": "string", "number": "number"}
JSON_TYPES |= {"integer": "integer", "boolean": "boolean"}
NULLABLE = {"value", "lower_bound", "upper_bound", "n"}


def _observation_schema() -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for name, _column, kind, text in FIELDS:
        schema: dict[str, Any] = {"type": JSON_TYPES[kind], "description": text}
        if kind == "date":
            schema["format"] = "date"
        if name in NULLABLE:
            schema["type"] = [JSON_TYPES[kind], "null"]
        properties[name] = schema
    return {
        "type": "object",
        "required": [name for name, *_ in FIELDS],
        "additionalProperties": False,
        "properties": properties,
    }


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _param(name: str, description: str, schema: dict[str, Any], required: bool = False) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema,
    }


RUN_PARAM = _param(
    "run",
    "Data version to read (while retained); default: the published one.",
    {"type": "string", "pattern": f"^{RUN_PATTERN}$"},
)
ERRORS = {
    "400": {
        "description": "Bad parameter",
        "content": {"application/json": {"schema": _ref("Error")}},
    },
    "404": {"description": "Not found", "content": {"application/json": {"schema": _ref("Error")}}},
}
FILTERS = [
    _param(
        "indicator",
        "Indicator id (see /indicators); one not in the data version is a 404.",
        {"type": "string", "pattern": f"^{INDICATOR_PATTERN}$"},
        required=True,
    ),
    _param(
        "area",
        "Comma-separated areas or groups.",
        {"type": "string", "pattern": f"^{TEXT_PATTERN}$"},
    ),
    _param(
        "breakdown",
        "Comma-separated breakdown values.",
        {"type": "string", "pattern": f"^{TEXT_PATTERN}$"},
    ),
    _param(
        "breakdown_prefix",
        "Breakdown values starting with this text (e.g. 'robbery|' for map cells).",
        {"type": "string", "pattern": f"^{TEXT_PATTERN}$"},
    ),
    _param(
        "from",
        "First period: YYYY, YYYY-MM or YYYY-MM-DD (a day past the month's end means its "
        "last day).",
        {"type": "string", "pattern": f"^{PERIOD_PATTERN}$"},
    ),
    _param(
        "to",
        "Last period, as 'from'. A 'to' before 'from' selects nothing.",
        {"type": "string", "pattern": f"^{PERIOD_PATTERN}$"},
    ),
    RUN_PARAM,
]


def _ok(schema: str, description: str) -> dict[str, Any]:
    return {
        "200": {
            "description": description,
            "content": {"application/json": {"schema": _ref(schema)}},
        },
        "304": {"description": "Not modified (ETag matched)"},
        **ERRORS,
    }


def spec() -> dict[str, Any]:
    source = {
        "type": "object",
        "required": ["source_id", "title", "publisher", "location", "licence", "is_synthetic"],
        "properties": {
            "source_id": {"type": "string"},
            "title": {"type": "string"},
            "publisher": {"type": "string"},
            "location": {"type": "string"},
            "licence": {"type": "string"},
            "is_synthetic": {"type": "boolean"},
            "rows_accepted": {"type": "integer"},
            "latest_record": {"type": ["string", "null"], "format": "date"},
            "period_covered": {
                "type": "object",
                "description": (
                    "The complete months this file or dataset covers and the areas it holds "
                    "records for (null months for program files). A figure outside every "
                    "file's coverage is not published."
                ),
                "properties": {
                    "first_month": {"type": ["string", "null"], "format": "date"},
                    "last_month": {"type": ["string", "null"], "format": "date"},
                    "areas": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    }
    indicator = {
        "type": "object",
        "required": [
            "indicator_id",
            "title",
            "unit",
            "description",
            "methodology",
            "caveats",
            "estimand",
            "suppression_rule",
            "sources",
            "is_synthetic",
            "coverage",
            "links",
        ],
        "properties": {
            "indicator_id": {"type": "string"},
            "title": {"type": "string"},
            "unit": {"type": "string"},
            "description": {"type": "string"},
            "methodology": {"type": "string"},
            "caveats": {"type": "string"},
            "estimand": {
                "description": (
                    "What an effect compares (null for a figure that is not an effect): "
                    "after_entry_difference, change_in_change, within_person_change, "
                    "area_change_in_change or area_event_study, with its window, groups "
                    "and adjustment."
                ),
                "oneOf": [
                    {"type": "null"},
                    {
                        "type": "object",
                        "required": [
                            "kind",
                            "compares",
                            "outcome",
                            "window",
                            "groups",
                            "adjusted_for",
                        ],
                        "properties": {
                            "kind": {"type": "string"},
                            "compares": {"type": "string"},
                            "outcome": {"type": "string"},
                            "window": {"type": "string"},
                            "groups": {"type": "string"},
                            "adjusted_for": {"type": "string"},
                        },
                    },
                ],
            },
            "suppression_rule": {"type": "string"},
            "sources": {"type": "array", "items": _ref("Source")},
            "is_synthetic": {"type": "boolean"},
            "coverage": {
                "type": "object",
                "required": ["first_period", "last_period", "areas", "observations", "withheld"],
                "properties": {
                    "first_period": {"type": ["string", "null"], "format": "date"},
                    "last_period": {"type": ["string", "null"], "format": "date"},
                    "period_grain": {"type": ["string", "null"]},
                    "areas": {"type": "array", "items": {"type": "string"}},
                    "breakdown_values": {"type": "array", "items": {"type": "string"}},
                    "observations": {"type": "integer", "minimum": 0},
                    "withheld": {"type": "integer", "minimum": 0},
                },
            },
            "links": {
                "type": "object",
                "required": ["observations", "csv", "xlsx"],
                "properties": {k: {"type": "string"} for k in ("observations", "csv", "xlsx")},
            },
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Belltown LEAD transparency dashboard API",
            "version": "1",
            "description": (
                "Read-only access to every published figure. Aggregates only: no person-level "
                "record. A withheld value is null with is_suppressed true, never a zero. "
                f"Pages hold at most {MAX_LIMIT} observations."
            ),
        },
        "servers": [{"url": "/"}],
        "paths": {
            f"{API_PREFIX}/indicators": {
                "get": {
                    "summary": "Every published indicator, with definitions, sources and coverage",
                    "parameters": [RUN_PARAM],
                    "responses": _ok("IndicatorList", "Indicators"),
                }
            },
            f"{API_PREFIX}/indicators/{{indicator_id}}": {
                "get": {
                    "summary": "One indicator",
                    "parameters": [
                        {
                            "name": "indicator_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        RUN_PARAM,
                    ],
                    "responses": _ok("Indicator", "The indicator"),
                }
            },
            f"{API_PREFIX}/observations": {
                "get": {
                    "summary": "Observations of one indicator, filtered and paged",
                    "parameters": [
                        *FILTERS,
                        _param(
                            "limit",
                            f"Page size (default {DEFAULT_LIMIT}).",
                            {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
                        ),
                        _param(
                            "offset",
                            "Rows to skip.",
                            {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET},
                        ),
                        _param("format", "json (default) or csv.", {"enum": ["json", "csv"]}),
                    ],
                    "responses": {
                        **_ok("ObservationPage", "A page of observations"),
                        "200": {
                            "description": "A page of observations",
                            "content": {
                                "application/json": {"schema": _ref("ObservationPage")},
                                "text/csv": {"schema": {"type": "string"}},
                            },
                        },
                    },
                }
            },
            f"{API_PREFIX}/runs": {
                "get": {
                    "summary": "Every recorded ETL run, newest first",
                    "responses": _ok("RunList", "Runs"),
                }
            },
            f"{API_PREFIX}/runs/{{run_id}}": {
                "get": {
                    "summary": "A retained data version and its sources",
                    "parameters": [
                        {
                            "name": "run_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "pattern": f"^{RUN_PATTERN}$"},
                        }
                    ],
                    "responses": _ok("Run", "The data version"),
                }
            },
            f"{API_PREFIX}/runs/{{run_id}}/changes": {
                "get": {
                    "summary": "What a data version changed against the one before it",
                    "parameters": [
                        {
                            "name": "run_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "pattern": f"^{RUN_PATTERN}$"},
                        }
                    ],
                    "responses": _ok("Changes", "Cells added, removed and revised"),
                }
            },
        },
        "components": {
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["status", "message"],
                            "properties": {
                                "status": {"type": "integer"},
                                "message": {"type": "string"},
                                "parameter": {"type": "string"},
                            },
                        }
                    },
                },
                "Source": source,
                "Indicator": indicator,
                "IndicatorList": {
                    "type": "object",
                    "required": ["run", "indicators"],
                    "properties": {
                        "run": {
                            "type": "object",
                            "required": ["run_id", "published_at"],
                            "properties": {
                                "run_id": {"type": "string"},
                                "published_at": {"type": "string", "format": "date-time"},
                            },
                        },
                        "indicators": {"type": "array", "items": _ref("Indicator")},
                    },
                },
                "Observation": _observation_schema(),
                "ObservationPage": {
                    "type": "object",
                    "required": [
                        "indicator_id",
                        "run_id",
                        "total",
                        "limit",
                        "offset",
                        "next",
                        "observations",
                    ],
                    "properties": {
                        "indicator_id": {"type": "string"},
                        "run_id": {"type": "string"},
                        "total": {"type": "integer", "minimum": 0},
                        "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
                        "offset": {"type": "integer", "minimum": 0},
                        "next": {"type": ["string", "null"]},
                        "observations": {
                            "type": "array",
                            "maxItems": MAX_LIMIT,
                            "items": _ref("Observation"),
                        },
                    },
                },
                "Run": {
                    "type": "object",
                    "required": ["run_id", "published_at", "is_synthetic", "sources"],
                    "properties": {
                        "run_id": {"type": "string"},
                        "published_at": {"type": "string", "format": "date-time"},
                        "is_synthetic": {"type": "boolean"},
                        "sources": {"type": "array", "items": _ref("Source")},
                    },
                },
                "RunList": {
                    "type": "object",
                    "required": ["runs"],
                    "properties": {
                        "runs": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": [
                                    "run_id",
                                    "status",
                                    "started_at",
                                    "finished_at",
                                    "tables_retained",
                                ],
                                "properties": {
                                    "run_id": {"type": "string"},
                                    "status": {"enum": ["running", "succeeded", "failed"]},
                                    "started_at": {"type": ["string", "null"]},
                                    "finished_at": {"type": ["string", "null"]},
                                    "tables_retained": {"type": "boolean"},
                                },
                            },
                        }
                    },
                },
                "Changes": {
                    "type": "object",
                    "required": ["run_id", "compared_with", "indicators"],
                    "properties": {
                        "run_id": {"type": "string"},
                        "compared_with": {"type": ["string", "null"]},
                        "indicators": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": [
                                    "indicator_id",
                                    "added",
                                    "removed",
                                    "revised",
                                    "unchanged",
                                ],
                                "properties": {
                                    "indicator_id": {"type": "string"},
                                    "added": {"type": "integer", "minimum": 0},
                                    "removed": {"type": "integer", "minimum": 0},
                                    "revised": {"type": "integer", "minimum": 0},
                                    "unchanged": {"type": "integer", "minimum": 0},
                                    "added_periods": {"type": "array", "items": {"type": "string"}},
                                    "revised_periods": {
                                        "type": "array",
                                        "items": {"type": "string"},
                                    },
                                },
                            },
                        },
                    },
                },
            }
        },
    }
