"""The public tracking page is cached for anonymous visitors, but never stale beyond the
micro-cache window and never served for a wrong second factor."""

from __future__ import annotations

from django.urls import reverse

from dossiers import services, tracking_cache


def test_cached_page_follows_the_dossier_and_keeps_the_visitor_csrf_token(
    client, world, working_morning, settings
):
    dossier = world.received()
    url = reverse("dossiers:track")
    query = {"code": dossier.code, "second_factor": "4321"}
    first = client.get(url, query)
    assert "Được tiếp nhận" in first.content.decode()
    tracking_cache._micro.clear()
    second = client.get(url, query)  # from the shared cache
    assert second.content.decode().count("csrfmiddlewaretoken") == first.content.decode().count(
        "csrfmiddlewaretoken"
    )
    assert tracking_cache._MARKER not in second.content.decode()
    # a change to the dossier shows as soon as the micro-cache window has passed
    services.dossier_assign(
        dossier=dossier, actor=world.clerk, department=world.division, assignee=world.specialist
    )
    tracking_cache._micro.clear()
    assert "Đang xử lý" in client.get(url, query).content.decode()
    # a wrong second factor is never answered from the cache
    assert client.get(url, {"code": dossier.code, "second_factor": "0000"}).status_code == 404


def test_logged_in_users_get_the_live_page(client, world, working_morning):
    dossier = world.received()
    client.force_login(world.clerk)
    url = reverse("dossiers:track")
    client.get(url, {"code": dossier.code, "second_factor": "4321"})
    assert not tracking_cache._micro
