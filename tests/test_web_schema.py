"""Schemathesis against the OpenAPI schema, with every check and negative examples too.

Valid requests must be answered (2xx), invalid ones refused (4xx), answers must match the schema,
and nothing may fail on the server. The app gives draws a 1-second budget here, so that requests
with up to 2,000 draws end quickly: past the budget the documented answer is 503.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode

from removalsim.web.app import create_app

pytestmark = pytest.mark.slow

schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(heavy_seconds=1))
schema.config.generation.update(modes=list(GenerationMode))
schema.config.checks.not_a_server_error.expected_statuses = ["2XX", "3XX", "4XX", "503"]


@schema.parametrize()
@settings(max_examples=30, suppress_health_check=list(HealthCheck))
def test_api_keeps_to_its_schema_with_every_check(case):
    case.call_and_validate()
