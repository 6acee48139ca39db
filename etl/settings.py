"""One registry of every setting the ETL and the site read.

Each setting has a name (also its environment variable), a default, a type and help text.
The README documents every one of them (``tests/unit/test_settings.py`` checks), in the
spirit of Datasette's ``SETTINGS`` registry. Read values with :func:`get`; never read
``os.environ`` elsewhere.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DATA_DIR = Path(__file__).resolve().parent / "sample_data"


def _as_list(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]


def _as_int(raw: str) -> int:
    return int(raw)


def _as_str(raw: str) -> str:
    return raw


def _as_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value not in {"true", "false", "1", "0", "yes", "no"}:
        raise ValueError(f"expected true or false, got {raw!r}")
    return value in {"true", "1", "yes"}


@dataclass(frozen=True)
class Setting:
    """A configurable value: ``name`` is also the environment variable that overrides it."""

    name: str
    default: str
    help: str
    parse: Callable[[str], Any] = _as_str

    @property
    def documented_default(self) -> str:
        """The default as the README shows it: paths relative to the repository."""
        return self.default.replace(f"{PROJECT_ROOT}/", "")


_DEFAULT_NIBRS = ",".join(
    str(SAMPLE_DATA_DIR / "seattle" / name)
    for name in (
        "spd_crime_nibrs_robbery_belltown_2008-2021.csv",
        "spd_crime_nibrs_robbery_capitolhill_downtowncommercial_2008-2021.csv",
    )
)

SETTINGS: tuple[Setting, ...] = (
    Setting(
        "DATABASE_URL",
        f"sqlite:///{PROJECT_ROOT / 'data' / 'lead.db'}",
        "SQLAlchemy URL of the published database. The ETL writes it; the site opens it "
        "read-only. SQLite and PostgreSQL are tested.",
    ),
    Setting(
        "FOCUS_AREA",
        "BELLTOWN",
        "SPD MCPP (Micro-Community Policing Plan) area where LEAD operates.",
    ),
    Setting(
        "COMPARISON_AREAS",
        "CAPITOL HILL,DOWNTOWN COMMERCIAL",
        "Comma-separated MCPP areas shown beside the focus area.",
        _as_list,
    ),
    Setting(
        "NIBRS_SOURCES",
        _DEFAULT_NIBRS,
        "Comma-separated paths or http(s) URLs of SPD Crime Data (NIBRS, 2008-present) CSV "
        "exports. Defaults to the real extracts bundled in etl/sample_data/seattle/.",
        _as_list,
    ),
    Setting(
        "LEGACY_CRIME_SOURCES",
        ",".join(
            str(SAMPLE_DATA_DIR / "seattle" / name)
            for name in (
                "spd_crime_data_legacy_property_belltown_2018-2019.csv",
                "spd_crime_data_legacy_property_capitolhill_downtowncommercial_2018-2019.csv",
            )
        ),
        "Comma-separated paths or URLs of SPD 'Crime Data' exports in the older (pre-NIBRS) "
        "format. `none` = not used.",
        _as_list,
    ),
    Setting(
        "CALLS_911_SOURCES",
        ",".join(
            str(SAMPLE_DATA_DIR / "seattle" / name)
            for name in (
                "spd_911_incident_response_belltown_tracts8001-8002_2016-03.csv",
                "spd_911_incident_response_comparison_beats_E1E2_M2M3K1K2_2016-03.csv",
            )
        ),
        "Comma-separated paths or URLs of SPD 911 Incident Response (CAD) exports. `none` = "
        "not used. The bundled sample covers one day, so it yields no complete month.",
        _as_list,
    ),
    Setting(
        "CSR_SOURCES",
        str(
            SAMPLE_DATA_DIR
            / "seattle_csr_fixture"
            / "customer_service_requests_synthetic_fixture.csv"
        ),
        "Comma-separated paths or URLs of Customer Service Requests (Find It, Fix It) "
        "exports. The default is a SYNTHETIC fixture in the portal's format. `none` = not used.",
        _as_list,
    ),
    Setting(
        "INDEX_BASELINE_YEAR",
        "2010",
        "Calendar year whose average month is 100 in the offense index (2010 is the last "
        "full year before LEAD began in October 2011).",
        _as_int,
    ),
    Setting(
        "LEAD_START_MONTH",
        "2011-10",
        "Month LEAD began taking referrals in Belltown; marked on trend charts.",
    ),
    Setting(
        "SUPPRESSION_THRESHOLD",
        "11",
        "Smallest number of people a published program figure may be based on. Smaller "
        "cells are withheld (with complementary suppression).",
        _as_int,
    ),
    Setting(
        "QUARANTINE_DIR",
        str(PROJECT_ROOT / "data" / "quarantine"),
        "Folder where each ETL run writes its report of rejected rows "
        "(<run id>/<source>.csv: file, row, column, value, reason).",
    ),
    Setting(
        "ETL_SCHEDULE",
        "0 4 * * *",
        "Cron expression (minute hour day month weekday) for `python -m etl schedule`.",
    ),
    Setting(
        "ETL_TIMEZONE",
        "America/Los_Angeles",
        "Time zone of ETL_SCHEDULE (the site shows times in UTC).",
    ),
    Setting(
        "HTTP_TIMEOUT_SECONDS",
        "60",
        "Timeout for each HTTP request when a source is a URL.",
        _as_int,
    ),
    Setting(
        "CACHE_TYPE",
        "FileSystemCache",
        "flask-caching backend for the site's query layer: FileSystemCache (shared by the "
        "gunicorn workers of one machine), RedisCache (several machines; install the "
        "`redis` extra) or NullCache.",
    ),
    Setting(
        "CACHE_DIR",
        str(PROJECT_ROOT / "data" / "cache"),
        "Folder for the FileSystemCache backend.",
    ),
    Setting(
        "CACHE_REDIS_URL",
        "",
        "Redis URL for the RedisCache backend (e.g. redis://localhost:6379/0).",
    ),
    Setting(
        "COMPRESSED_ASSETS_DIR",
        str(PROJECT_ROOT / "data" / "compressed-assets"),
        "Folder for the Brotli and gzip copies of the site's fingerprinted scripts and styles, "
        "written once per file version and served from there.",
    ),
    Setting(
        "PAGE_CACHE_SECONDS",
        "604800",
        "How long a page's served HTML and its static charts are kept in the cache. They are "
        "keyed by data version and site code, so a new run or deploy is served at once "
        "regardless; this only bounds how long an unused entry stays.",
        _as_int,
    ),
    Setting(
        "CACHE_TIMEOUT_SECONDS",
        "300",
        "How long a cached query result is kept. Results are keyed by ETL run, so a new run "
        "is visible at once regardless.",
        _as_int,
    ),
    Setting(
        "WARM_AFTER_RUN",
        "true",
        "After a run publishes, `python -m etl run` and the scheduler fill the site's cache "
        "(CACHE_TYPE, CACHE_DIR or CACHE_REDIS_URL, as the site has them) with every page's "
        "default view (`python -m dashboard.warm`), so the first visitor after a refresh is "
        "served as fast as the second. `false` skips it.",
        _as_bool,
    ),
    Setting(
        "PROGRAM_EXTRACT_DIR",
        str(PROJECT_ROOT / "data" / "demo_program_extract"),
        "The folder of the program extract (person-level CSV files and PROVENANCE.json, "
        "format in docs/program-data-contract.md). `python -m etl demo` writes the "
        "demonstration extract there. `none` = no program data (neighborhood figures only).",
    ),
    Setting(
        "PROGRAM_ID_SECRET",
        "",
        "Secret key of the keyed hash (HMAC-SHA256) that replaces program person ids. Must "
        "be set for real data (the ETL refuses a real extract without it); keep it out of "
        "the repository. A synthetic extract uses a fixed, public demonstration key.",
    ),
    Setting(
        "SODA_BASE_URL",
        "",
        "Socrata portal to read the public sources from live (e.g. https://data.seattle.gov). "
        "Each source whose SODA_*_DATASET is not `none` is fetched from it instead of its "
        "*_SOURCES files. Empty = read the files.",
    ),
    Setting(
        "SODA_APP_TOKEN",
        "",
        "Socrata app token, sent as X-App-Token (requests without one share a throttled "
        "pool). Keep it out of the repository.",
    ),
    Setting(
        "SODA_PAGE_SIZE",
        "10000",
        "Records per SODA request ($limit; 2.0 endpoints allow at most 50000).",
        _as_int,
    ),
    Setting(
        "SODA_MAX_RETRIES",
        "4",
        "Retries per page on timeouts, 429 and 5xx, with exponential backoff or Retry-After.",
        _as_int,
    ),
    Setting(
        "SODA_LOOKBACK_DAYS",
        "30",
        "An incremental run re-fetches records from this many days before the newest cached "
        "one, so late and corrected records replace older copies.",
        _as_int,
    ),
    Setting(
        "SODA_FULL_REFRESH_DAYS",
        "7",
        "A live source is downloaded in full when its last full refresh is this many days "
        "old (weekly by default), so deletions and old corrections always arrive; 0 = only "
        "with `python -m etl run --full-refresh`. Between full refreshes, each run compares "
        "the portal's record count and latest update per month with the cache and re-fetches "
        "months that differ.",
        _as_int,
    ),
    Setting(
        "SODA_NIBRS_DATASET",
        "tazs-3rd5",
        "Dataset id of SPD Crime Data: 2008-Present (NIBRS) on the portal. `none` = read "
        "NIBRS_SOURCES even when SODA_BASE_URL is set.",
    ),
    Setting(
        "SODA_NIBRS_WHERE",
        "",
        "Optional fixed SoQL filter on every NIBRS request, e.g. an MCPP list to keep the "
        "cache small. Changing it makes the next run a full refresh.",
    ),
    Setting(
        "SODA_LEGACY_CRIME_DATASET",
        "4fs7-3vj5",
        "Dataset id of SPD Crime Data (the older, pre-NIBRS format). `none` = read "
        "LEGACY_CRIME_SOURCES even when SODA_BASE_URL is set.",
    ),
    Setting(
        "SODA_LEGACY_CRIME_WHERE",
        "",
        "Optional fixed SoQL filter for the older crime dataset, e.g. "
        "`neighborhood in ('BELLTOWN', 'CAPITOL HILL')`.",
    ),
    Setting(
        "SODA_CALLS_911_DATASET",
        "3k2p-39jp",
        "Dataset id of SPD 911 Incident Response (CAD events). `none` = read "
        "CALLS_911_SOURCES even when SODA_BASE_URL is set.",
    ),
    Setting(
        "SODA_CALLS_911_WHERE",
        "",
        "Optional fixed SoQL filter for the 911 dataset, e.g. "
        "`zone_beat in ('D1', 'M1', 'E1', 'E2', 'M2', 'M3')`.",
    ),
    Setting(
        "SODA_CSR_DATASET",
        "5ngg-rpne",
        "Dataset id of Customer Service Requests (Find It, Fix It). `none` = read "
        "CSR_SOURCES even when SODA_BASE_URL is set.",
    ),
    Setting(
        "SODA_CSR_WHERE",
        "",
        "Optional fixed SoQL filter for service requests, e.g. a list of request types.",
    ),
    Setting(
        "RAW_CACHE_DIR",
        str(PROJECT_ROOT / "data" / "raw"),
        "Where the ETL keeps the raw extract of each live source between runs (published "
        "tables hold aggregates only, so incremental fetches merge into this cache).",
    ),
    Setting(
        "ETL_LOCK_FILE",
        str(PROJECT_ROOT / "data" / "etl.lock"),
        "Lock file that stops two ETL runs overlapping on one machine (on a local disk). On "
        "PostgreSQL a database advisory lock also guards against other machines.",
    ),
    Setting(
        "CHROMIUM_PATH",
        "/usr/bin/chromium",
        "Headless Chromium that prints the briefing PDF (Debian's chromium package). "
        "Without it, /briefing.pdf answers 503 and says to use the browser's Print.",
    ),
    Setting(
        "PDF_CACHE_DIR",
        str(PROJECT_ROOT / "data" / "pdf-cache"),
        "Folder where each briefing PDF is kept once printed, per data version, period, "
        "paper size and chart (a new data version prints afresh).",
    ),
    Setting(
        "WEB_THREADS",
        "4",
        "Threads per gunicorn worker (gthread), so a worker printing the briefing PDF can "
        "still serve the page it prints.",
        _as_int,
    ),
    Setting(
        "PROBLEM_REPORT_URL",
        "mailto:lead-data@example.org?subject=Belltown%20LEAD%20dashboard%3A%20data%20problem",
        "Where 'Report a data problem' (in every page footer) leads: a form URL or a mailto: "
        "address. Set it to the team's real address before going live.",
    ),
    Setting(
        "STALE_AFTER_HOURS",
        "48",
        "The site shows a stale-data notice when the last successful ETL run finished more "
        "than this many hours ago (the schedule runs daily).",
        _as_int,
    ),
    Setting("HOST", "127.0.0.1", "Address gunicorn binds to."),
    Setting(
        "SANITY_MAX_ROW_DROP",
        "0.25",
        "A run fails, naming the file and the drop, when a source file (same name) or a "
        "source as a whole accepted more than this share fewer rows than in the published "
        "run (0.25: a quarter fewer); an empty file always fails. See ALLOW_SHRINK.",
        float,
    ),
    Setting(
        "SANITY_MAX_MONTHS_DROP",
        "0.1",
        "A run fails when a neighborhood source covers more than this share fewer complete "
        "months than in the published run, or no longer covers an area it covered.",
        float,
    ),
    Setting(
        "ALLOW_SHRINK",
        "false",
        "Publish even though a source shrank against the published run (an intended change); "
        "prefer `python -m etl run --allow-shrink` for the one run that needs it.",
        _as_bool,
    ),
    Setting(
        "PROGRAM_NEW_RELEASE_SERIES",
        "false",
        "Publish the program figures afresh, not on top of the published release "
        "(etl/releases.py): for a changed threshold or a run that earlier releases block. "
        "Figures already published stay public; prefer `python -m etl run "
        "--new-release-series` for the one run that needs it.",
        _as_bool,
    ),
    Setting(
        "HSTS_SECONDS",
        "0",
        "When the site is served over TLS, how long browsers must use HTTPS for it "
        "(`Strict-Transport-Security: max-age=...`), e.g. 31536000. 0 sends no such header "
        "(plain HTTP, as `make run` serves).",
        _as_int,
    ),
    Setting(
        "MAX_REQUEST_BYTES",
        "1000000",
        "The largest request body the site accepts (a callback's is a few kilobytes); a "
        "larger one is answered 413 before anything reads it.",
        _as_int,
    ),
    Setting(
        "PUBLIC_BASE_URL",
        "",
        "The site's public address (e.g. `https://lead.seattle.gov`), used for every link the "
        "site generates: permalinks, embed code, citations, page metadata, the data bundle and "
        "the briefing's link and QR code. Never taken from a request's `Host` header (pages are "
        "cached and shared). Empty: `http://HOST:PORT`.",
    ),
    Setting("PORT", "8050", "Port gunicorn binds to.", _as_int),
    Setting(
        "WEB_CONCURRENCY",
        "2",
        "Number of gunicorn worker processes.",
        _as_int,
    ),
    Setting("LOG_LEVEL", "INFO", "Logging level for the ETL and the site."),
)

_BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


def get(name: str, environ: Mapping[str, str] | None = None) -> Any:
    """Return the parsed value of setting ``name``: the environment wins over the default."""
    setting = _BY_NAME[name]
    env = os.environ if environ is None else environ
    raw = env.get(name)
    if raw is None or raw == "":
        raw = setting.default
    try:
        return setting.parse(raw)
    except ValueError as exc:
        raise ValueError(f"setting {name}={raw!r} is not valid: {exc}") from exc


def public_base_url(environ: Mapping[str, str] | None = None) -> str:
    """``PUBLIC_BASE_URL`` without a trailing slash, else ``http://HOST:PORT``."""
    configured = str(get("PUBLIC_BASE_URL", environ)).rstrip("/")
    if configured:
        return configured
    return f"http://{get('HOST', environ)}:{get('PORT', environ)}"
