"""The settings registry: overrides, parsing, and a README entry for every setting."""

from __future__ import annotations

import pytest

from etl import settings


def test_every_setting_is_documented_in_the_readme_with_its_default() -> None:
    readme = (settings.PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    for setting in settings.SETTINGS:
        row = f"| `{setting.name}` | `{setting.documented_default}` |"
        assert row in readme, f"README lacks a configuration row for {setting.name}"


def test_environment_overrides_the_default_and_is_parsed() -> None:
    environ = {"SUPPRESSION_THRESHOLD": "20", "COMPARISON_AREAS": " QUEEN ANNE , SLU/CASCADE,"}
    assert settings.get("SUPPRESSION_THRESHOLD", environ) == 20
    assert settings.get("COMPARISON_AREAS", environ) == ["QUEEN ANNE", "SLU/CASCADE"]
    assert settings.get("COMPARISON_AREAS", {}) == ["CAPITOL HILL", "DOWNTOWN COMMERCIAL"]
    assert settings.get("SUPPRESSION_THRESHOLD", {"SUPPRESSION_THRESHOLD": ""}) == 11


def test_an_unparsable_value_names_the_setting() -> None:
    with pytest.raises(ValueError, match=r"setting PORT='eighty' is not valid"):
        settings.get("PORT", {"PORT": "eighty"})


def test_setting_names_are_unique() -> None:
    names = [s.name for s in settings.SETTINGS]
    assert len(names) == len(set(names))
