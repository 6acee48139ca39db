"""The hardened server: security headers on every route, no versions or dev routes, a body
limit, and no request, however malformed, answered with a server error (fuzzed)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import dash
import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import router, security
from etl import pipeline
from tests.integration import card_views
from tests.integration.conftest import SAMPLE_NIBRS

PAGES = [*router.PAGES, "/embed/qol-trend", "/embed/qol-map"]
OTHER_ROUTES = [
    "/api/v1/",
    "/api/v1/indicators",
    "/api/v1/observations?indicator=reported_offenses&limit=2",
    "/api/v1/runs",
    "/api/v1/openapi.json",
    "/download/reported_offenses.csv",
    "/download/bundle.zip",
    "/briefing.pdf?paper=legal",
    "/_dash-dependencies",
    "/_dash-layout?page=/enrollment",
    "/assets/site.css",
    "/no-such-page",
]


@pytest.fixture(scope="module")
def client(app: dash.Dash, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    folder = tmp_path_factory.mktemp("security")
    url = f"sqlite:///{folder / 'lead.db'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", url)
        patch.setenv("QUARANTINE_DIR", str(folder / "quarantine"))
        patch.setenv("COMPRESSED_ASSETS_DIR", str(folder / "compressed"))
        patch.setenv("PROGRAM_EXTRACT_DIR", "none")
        pipeline.run(database_url=url, nibrs_sources=SAMPLE_NIBRS)
        client = app.server.test_client()
        assert client.get("/").status_code == 200  # Dash builds its callback map
        yield client


@pytest.mark.parametrize("path", PAGES + OTHER_ROUTES)
def test_every_route_sends_the_security_headers(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    headers = response.headers
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "object-src 'none'" in policy
    assert "unsafe-eval" not in policy
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    if path.startswith("/embed/"):
        assert "frame-ancestors *" in policy and "X-Frame-Options" not in headers
    else:
        assert policy.endswith("frame-ancestors 'none'") and headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in headers  # plain HTTP unless HSTS_SECONDS


def test_hsts_is_sent_when_the_site_is_behind_tls(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HSTS_SECONDS", "31536000")
    response = client.get("/api/v1/")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_pages_name_no_python_dash_or_plotly_version(client: FlaskClient) -> None:
    versions = {dash.__version__, re.escape(__import__("plotly").__version__)}
    html = client.get("/quality-of-life").get_data(as_text=True)
    assert "python_version" not in html and "Python 3" not in html
    outside_charts = re.sub(r"<svg.*?</svg>", "", html, flags=re.S)
    named = [v for v in versions if v in outside_charts or f"v{v.replace('.', '_')}" in html]
    assert named == []
    assert client.get("/_reload-hash").status_code == 404


def test_a_body_over_the_limit_is_refused_before_it_is_read(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = json.dumps({"output": "x", "inputs": ["y" * 2_000_000]})
    response = client.post("/_dash-update-component", data=body, content_type="application/json")
    assert response.status_code == 413
    assert b"Traceback" not in response.data


@pytest.mark.parametrize(
    "path",
    [
        "/_dash-component-suites/dash/../../../etc/passwd",
        "/_dash-component-suites/dash/deps/nothing.js",
        "/_dash-component-suites/os/path.py",
        "/_dash-component-suites/dash",
    ],
)
def test_unlinked_asset_paths_are_404(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404, path


def test_every_route_is_a_route_the_security_module_knows(client: FlaskClient) -> None:
    assert security.content_security_policy("/embed/x").endswith("frame-ancestors *")
    assert security.content_security_policy("/").endswith("frame-ancestors 'none'")


# --- Fuzzing: no request is answered with a 5xx -----------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


def _callback_bodies() -> st.SearchStrategy[object]:
    """Real callback requests with parts mutated, and arbitrary JSON."""
    real = card_views.view_request(
        "qol-trend",
        [
            {"id": "qol-offense-group", "property": "value", "value": "robbery"},
            {"id": "qol-measure", "property": "value", "value": "count"},
            {"id": "qol-smoothing", "property": "value", "value": "month"},
            {"id": "qol-areas", "property": "value", "value": ["belltown"]},
            {"id": "qol-from-year", "property": "value", "value": "2010"},
            {"id": "qol-to-year", "property": "value", "value": "2012"},
        ],
    )

    def mutate(key: str, value: object) -> dict[str, object]:
        return {**real, key: value}

    keys = st.sampled_from(["output", "outputs", "inputs", "state", "changedPropIds"])
    input_values = st.lists(
        st.fixed_dictionaries(
            {"id": st.text(max_size=20), "property": st.text(max_size=10), "value": JSON_VALUES}
        ),
        max_size=7,
    )
    same_ids_new_values = st.lists(JSON_VALUES, min_size=6, max_size=6).map(
        lambda values: {
            **real,
            "inputs": [
                {**item, "value": value}
                for item, value in zip(real["inputs"], values, strict=True)  # type: ignore[arg-type]
            ],
        }
    )
    return st.one_of(
        JSON_VALUES,
        st.builds(mutate, keys, JSON_VALUES),
        st.builds(mutate, st.just("inputs"), input_values),
        same_ids_new_values,
    )


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,  # the same cases every run: a failure reproduces
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(body=st.deferred(_callback_bodies))  # built once the app exists
def test_fuzzed_callback_requests_never_get_a_server_error(
    client: FlaskClient, body: object
) -> None:
    response = client.post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code < 500, (body, response.get_data(as_text=True)[:300])
    assert b"Traceback" not in response.data


QUERY_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,  # the same cases every run: a failure reproduces
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    path=st.sampled_from(PAGES + OTHER_ROUTES + ["/embed/", "/api/v1/observations"]),
    query=st.lists(st.tuples(QUERY_TEXT, QUERY_TEXT), max_size=4),
    suffix=st.sampled_from(["", "/", "/x", "%00", "/..%2f..%2fetc", ";x", "%ff"]),
)
def test_fuzzed_routes_never_get_a_server_error(
    client: FlaskClient, path: str, query: list[tuple[str, str]], suffix: str
) -> None:
    base = path.split("?", 1)[0]
    response = client.get(base + suffix, query_string=query)
    assert response.status_code < 500, (base + suffix, query, response.status_code)
    assert b"Traceback" not in response.data


@pytest.mark.parametrize("path", ["/api/v1/indicators", "/api/v1/observations", "/api/v1/runs"])
def test_a_wrong_method_on_the_api_is_405_with_the_methods_allowed(
    client: FlaskClient, path: str
) -> None:
    response = client.post(path)
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert response.get_json()["error"]["status"] == 405
