"""Every URL has a declared right, checked in one place (realms.middleware)."""

from django.urls import URLPattern, URLResolver, get_resolver

from realms.pages import access_of


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def test_every_view_declares_who_may_open_it():
    missing = [route for route, view in _walk(get_resolver().url_patterns) if access_of(view) is None]

    assert missing == []


def test_the_walk_sees_every_realm_under_every_scheme():
    routes = {route for route, _ in _walk(get_resolver().url_patterns)}

    assert "Master/Settings/General" in routes
    assert "Settings/General" in routes
    assert "Domain/Domains" in routes
    assert "Master/Rights" in routes and "Master/Master/Rights" in routes
