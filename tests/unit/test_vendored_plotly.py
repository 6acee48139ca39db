"""The vendored plotly.js partial bundle: pinned, unchanged, and enough for every figure."""

from __future__ import annotations

import ast
import hashlib
import re

from plotly.offline import get_plotlyjs_version

from dashboard import app_factory
from etl.settings import PROJECT_ROOT

VENDOR = PROJECT_ROOT / "assets" / "vendor"


def _minor(version: str) -> tuple[str, ...]:
    return tuple(version.split(".")[:2])


def test_the_bundle_is_the_recorded_file_of_the_installed_plotly_version() -> None:
    bundle = PROJECT_ROOT / "assets" / app_factory.PLOTLY_BUNDLE
    content = bundle.read_bytes()
    version = re.search(rb"plotly\.js \(basic - minified\) v([0-9.]+)", content[:300])
    assert version is not None
    # Same minor version: the figures' JSON is written for the installed plotly's plotly.js.
    assert _minor(version.group(1).decode()) == _minor(get_plotlyjs_version())
    recorded = re.search(
        rf"`{re.escape(bundle.name)}` .*? `([0-9a-f]{{64}})`", (VENDOR / "README.md").read_text()
    )
    assert recorded is not None
    assert hashlib.sha256(content).hexdigest() == recorded.group(1)
    assert content.rstrip().endswith(b"window.Plotly = Plotly;\nreturn Plotly;\n}));")
    assert "MIT" in (VENDOR / "plotly.js-LICENSE.txt").read_text()
    # One bundle only: Dash links every .js file under assets/.
    assert [p.name for p in VENDOR.glob("*.js")] == [bundle.name]


def test_the_figure_builders_draw_only_trace_types_in_the_bundle() -> None:
    used: set[str] = set()
    for path in (PROJECT_ROOT / "dashboard").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "go"
                and node.attr[0].isupper()
                and node.attr not in {"Figure", "Layout"}
            ):
                used.add(node.attr.lower())
    assert used
    assert used <= app_factory.PLOTLY_TRACE_TYPES, used - app_factory.PLOTLY_TRACE_TYPES


def test_the_full_plotly_bundle_is_not_linked() -> None:
    from app import app

    html = app.server.test_client().get("/quality-of-life").get_data(as_text=True)
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert not [s for s in scripts if "plotly.min.js" in s or "/plotly/" in s], scripts
    assert [s for s in scripts if app_factory.PLOTLY_BUNDLE in s]
