"""The API does what its OpenAPI document says: Schemathesis generates requests from
``/api/v1/openapi.json`` (valid and invalid values for every parameter) and checks each
answer against the document: status codes, content types, response schemas, and never a
server error."""

from __future__ import annotations

from collections.abc import Iterator

import dash
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from etl import pipeline
from tests.integration.conftest import SAMPLE_NIBRS


@pytest.fixture(scope="module")
def api_schema(
    app: dash.Dash, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[schemathesis.BaseSchema]:
    folder = tmp_path_factory.mktemp("contract")
    url = f"sqlite:///{folder / 'lead.db'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", url)
        patch.setenv("QUARANTINE_DIR", str(folder / "quarantine"))
        patch.setenv("PROGRAM_EXTRACT_DIR", "none")
        pipeline.run(database_url=url, nibrs_sources=SAMPLE_NIBRS)
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app.server)


CONTRACT = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,  # the same cases every run: a failure reproduces
    suppress_health_check=list(HealthCheck),
)


def test_the_api_answers_as_its_openapi_document_says(api_schema: schemathesis.BaseSchema) -> None:
    """Every operation of the document, with valid requests (which must be accepted) and
    invalid ones (which must be refused with a 4xx), checked by Schemathesis's own checks
    (driven here rather than by its pytest plugin, which does not run on pytest 9)."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 6
    calls = 0
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @CONTRACT
            @given(case=operation.as_strategy(generation_mode=mode))
            def check(case: schemathesis.Case) -> None:
                nonlocal calls
                calls += 1
                case.call_and_validate(headers={"Accept-Encoding": "identity"})

            try:
                check()
            except Unsatisfiable:  # no parameters, so no invalid request to make
                assert mode is GenerationMode.NEGATIVE and not operation.query
    assert calls >= 100
