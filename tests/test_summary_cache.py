"""The shared cache of a period's summary: computed once, never stale."""

from decimal import Decimal as D

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import Action
from audit.services import audit_record
from indicators import services
from indicators.selectors import data_version, summary_cache

PAGE = reverse("indicators:summary", args=["2023Q3", "370400"])
DASHBOARD = reverse("indicators:dashboard", args=["2023Q3", "370400"])
RAW = {
    "invention_grants": "150",
    "valid_inventions": "860",
    "certified_enterprises": "4",
    "pct_applications": "1",
    "infringement_rulings": "0",
}


def _total(response, code="invention_grants"):
    assert response.status_code == 200
    return response.context["summary"].total.cells[code].value


def _submit(tengzhou, q3_2023, clerk, raw=RAW, version=0):
    return services.report_save(
        unit=tengzhou,
        period=q3_2023,
        raw=raw,
        expected_version=version,
        submit=True,
        user=clerk,
    )


def test_a_submitted_figure_is_on_the_cached_summary_page_at_once(
    client_for, office, tengzhou_clerk, tengzhou, q3_2023
):
    c = client_for(office)
    assert _total(c.get(PAGE)) is None
    assert _total(c.get(PAGE)) is None  # now from the cache
    _submit(tengzhou, q3_2023, tengzhou_clerk)
    assert _total(c.get(PAGE)) == D(150)


def test_a_submitted_figure_is_on_the_cached_dashboard_at_once(
    client_for, office, tengzhou_clerk, tengzhou, q3_2023
):
    c = client_for(office)
    assert _total(c.get(DASHBOARD)) is None
    _submit(tengzhou, q3_2023, tengzhou_clerk)
    assert _total(c.get(DASHBOARD)) == D(150)


def test_the_second_visit_is_served_from_the_cache(client_for, office, monkeypatch):
    c = client_for(office)
    first = _total(c.get(reverse("indicators:summary", args=["2023Q2", "370400"])))

    def refuse(*args, **kwargs):
        raise AssertionError("summarised again although nothing changed")

    monkeypatch.setattr(summary_cache, "summarize", refuse)
    again = _total(c.get(reverse("indicators:summary", args=["2023Q2", "370400"])))
    assert again == first == D(326)


def test_signing_in_and_downloading_leave_the_data_version_alone_and_a_save_moves_it(
    office, tengzhou_clerk, tengzhou, q3_2023
):
    before = data_version()
    audit_record(actor=office, action=Action.LOGIN, summary="登录")
    audit_record(actor=office, action=Action.EXPORT, summary="下载 Excel")
    assert data_version() == before
    _submit(tengzhou, q3_2023, tengzhou_clerk)
    assert data_version() != before


def test_a_failing_cache_serves_the_page_from_the_database(client_for, office, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(summary_cache.cache, "get", broken)
    page = client_for(office).get(reverse("indicators:summary", args=["2023Q2", "370400"]))
    assert _total(page) == D(326)


def test_the_cache_is_shared_by_every_app_server_never_one_process():
    assert settings.CACHES["default"]["BACKEND"] in (
        "django.core.cache.backends.redis.RedisCache",
        "django.core.cache.backends.db.DatabaseCache",
    )


def _page_queries(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", [PAGE, DASHBOARD])
def test_computed_afresh_a_page_reads_as_many_queries_for_300_units_as_for_7(
    client_for, office, city, q2_2023, settings, url
):
    from tests.test_selector_summary import _add_units

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    c = client_for(office)
    with_seven = _page_queries(c, url)
    _add_units(city, q2_2023, 293)
    assert _page_queries(c, url) == with_seven
