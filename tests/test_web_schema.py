"""Schemathesis against the OpenAPI schema: no server errors, answers that match the schema."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from removalsim.web.app import create_app

pytestmark = pytest.mark.slow

schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(warm_up=False))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_fails_and_keeps_to_its_schema(case):
    case.call_and_validate(checks=CHECKS)
