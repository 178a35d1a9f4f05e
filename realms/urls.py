"""The realms' URLs: the Master realm pages the realms app owns, and every realm mounted under its
URL schemes (cgadmin.urls gives mount_realms each app's pages)."""

from django.urls import URLPattern, include, path

from realms import master_views, pages
from realms import rights as R
from realms.views import realm_index, webadmin_preferences

master_pages = [
    path("Rights", master_views.server_rights, name="rights"),
]


def mount_realms(realm_pages: dict[str, list[URLPattern]]) -> list:
    """URL patterns for every realm under each scheme (master ones first: /Master/<Realm>/)."""
    pages.REGISTRY.clear()
    mounted: list = []
    for scheme in (R.MASTER_SCHEME, R.SEPARATE_SCHEME, R.DOMAIN_SCHEME):
        for realm in pages.REALM_ORDER:
            if scheme == R.DOMAIN_SCHEME and realm != R.DOMAIN_WEBADMIN_REALM:
                continue
            patterns = [path("", realm_index, name="index"),
                        path("Preferences", webadmin_preferences, name="preferences"), *realm_pages.get(realm, [])]
            pages.REGISTRY[realm] = pages.RealmPages(realm, patterns)
            prefix = pages.SCHEME_PREFIX[scheme]
            route = f"{prefix}{realm}/" if scheme != R.DOMAIN_SCHEME else prefix
            mounted.append(
                path(route, include((patterns, realm), namespace=pages.namespace(scheme, realm)),
                     {"cg_scheme": scheme, "cg_realm": realm})
            )
    return mounted
