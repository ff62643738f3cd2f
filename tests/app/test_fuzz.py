"""schemathesis against the app's own OpenAPI schema: no 5xx, every answer fits its schema.

A schema-valid request may still be refused (sequence and inputs together, an h0 whose length
is not H): JSON Schema cannot say everything the API checks, and a clear 422 is the right
answer. So the check that every schema-valid request is accepted is left out.
"""

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from app.main import app

schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_answers_every_generated_request_within_its_schema(case):
    response = case.call_and_validate(excluded_checks=[checks.positive_data_acceptance])
    assert "NaN" not in response.text and "Infinity" not in response.text
