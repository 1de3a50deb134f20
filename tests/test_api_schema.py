"""schemathesis against our own OpenAPI schema: generated requests to every operation, with
a token of office staff (reads everywhere) and of a clerk (writes), find no 500 and no
response that breaks the schema. Bounded: a few examples per operation, the whole under ~20 s.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from api.services import token_create
from api.throttling import PerTokenThrottle

EXAMPLES = 10
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]


def _schema(token: str):
    return schemathesis.openapi.from_wsgi(
        "/api/v1/schema/?format=json",
        get_wsgi_application(),
        headers={"Authorization": f"Bearer {token}"},
    )


@pytest.mark.parametrize("who", ["office", "tengzhou_clerk"])
def test_generated_requests_find_no_500_and_no_response_off_the_schema(
    seed, who, request, settings_
):
    user = request.getfixturevalue(who)
    token = token_create(user=user, name="schemathesis", read_only=False)[1]
    schema = _schema(token)
    headers = {"Authorization": f"Bearer {token}"}
    operations = [op.ok() for op in schema.get_all_operations()]
    assert len(operations) >= 10
    statuses: dict[str, set[int]] = {}
    for operation in operations:
        _exercise(operation, headers, statuses.setdefault(operation.label, set()))
    # The cases reached the work, not only the refusals.
    succeeded = [label for label, codes in statuses.items() if 200 in codes]
    assert len(succeeded) >= 4, statuses


def _exercise(operation, headers: dict, seen: set[int]) -> None:
    """Runs EXAMPLES generated cases of one operation, collecting their status codes."""

    @given(
        case=operation.as_strategy(),
        real=st.booleans(),
        period=st.sampled_from(["2023Q3", "2023Q3", "2023Q2"]),
        unit=st.sampled_from(["370481", "370481", "370400", "370403"]),
    )
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def run(case, real, period, unit):
        if real and case.path_parameters:
            # Half the cases name a real period and unit, to reach past the 404s.
            known = {"period_code": period, "unit_code": unit}
            case.path_parameters = {
                name: known.get(name, value) for name, value in case.path_parameters.items()
            }
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        seen.add(response.status_code)

    run()


@pytest.fixture
def settings_(monkeypatch):
    # Generated requests arrive faster than any rate a person would set.
    monkeypatch.setattr(PerTokenThrottle, "THROTTLE_RATES", {"token": "100000/minute"})
    # The WSGI application is called directly, not through Django's test client, so keep it
    # from closing the database connection at the end of each request, as the test client
    # does: on PostgreSQL that connection holds the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
