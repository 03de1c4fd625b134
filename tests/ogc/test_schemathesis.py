"""Fuzz the OGC API from its own OpenAPI document (schemathesis, against the WSGI app).

Every operation gets a bounded number of generated requests, valid (positive) and invalid
(negative); each response must not be a 5xx, must have a documented status and content type, and
must match its schema. The operations are driven from hypothesis strategies directly:
schemathesis' lazy pytest loader does not work with pytest 9 (it reads ``node._nodeid``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

schemathesis = pytest.importorskip("schemathesis")
from schemathesis import GenerationMode  # noqa: E402 - only once schemathesis is known present
from schemathesis.specs.openapi.checks import positive_data_acceptance  # noqa: E402

#: Values OpenAPI 3.0 cannot fully describe: bbox numbers have per-position ranges (longitude,
#: latitude, min <= max) and datetime is an RFC 3339 instant or interval. A schema-valid but
#: meaningless value gets a 400 there, which is right; every other parameter keeps the check.
SEMANTIC_PARAMS = ("bbox", "datetime")

#: examples per operation and mode; 13 operations × 2 modes × 30 ≈ 550 requests, ~10 s
MAX_EXAMPLES = 30


@pytest.fixture(scope="module")
def ogc_app(engine: Any, database_url: str) -> Iterator[Any]:
    """The app on its own connections: the API only reads, so nothing needs rolling back."""
    from app import create_app

    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "schemathesis-secret-0123456789",
            "CACHE_TTL": 0,
            "REQUEST_LOG": False,
        }
    )
    yield app
    app.extensions["petalapak.engine"].dispose()


@pytest.fixture(scope="module")
def ogc_schema(ogc_app: Any) -> Any:
    return schemathesis.openapi.from_wsgi("/ogc/api", ogc_app)


def _operations(schema: Any) -> list[Any]:
    return [result.ok() for result in schema.get_all_operations()]


def test_schema_lists_every_public_collection(ogc_schema: Any) -> None:
    paths = {op.path for op in _operations(ogc_schema)}
    assert "/collections/booths-cfd-2026-12-06/items" in paths
    assert "/collections/zones/items/{featureId}" in paths
    assert not any("vendors-" in p for p in paths)  # private collections stay out


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_ogc_api_conforms_to_its_openapi(ogc_schema: Any, mode: Any) -> None:
    failures: list[str] = []
    for operation in _operations(ogc_schema):

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            excluded = (
                [positive_data_acceptance]
                if any(p in (case.query or {}) for p in SEMANTIC_PARAMS)
                else []
            )
            # the WSGI transport does not undo gzip (Flask-Compress): ask for plain bodies
            case.call_and_validate(
                headers={"Accept-Encoding": "identity"}, excluded_checks=excluded
            )

        try:
            run()
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)
