"""The baseline of webadmin_load_bench.py: the Django admin changelist of the same table.

The WebAdmin's settings with django.contrib.admin added and the realm gate taken out (admin checks
its own permission), and one ModelAdmin for Account showing the same rows as the WebAdmin's
Accounts list of the domain: 50 a page, by name, with the real name and the type. It is what Django
gives for free over the same database, middleware and session, served by the same gunicorn
settings; the WebAdmin's list should be at least as fast.

    gunicorn 'bench.admin_changelist:wsgi()' --config cgadmin/gunicorn.conf.py

The changelist is at /admin/accounts/account/; BENCH_DOMAIN names the domain (client1.test)."""

from __future__ import annotations

import os

from cgadmin.settings import *  # noqa: F403
from cgadmin.settings import INSTALLED_APPS, MIDDLEWARE

INSTALLED_APPS = ["django.contrib.admin", *INSTALLED_APPS]
MIDDLEWARE = [name for name in MIDDLEWARE if name != "realms.middleware.RealmAccessMiddleware"]
ROOT_URLCONF = __name__
PAGE_SIZE = 50  # the WebAdmin's ObjectsPerPage default

_site = None


def site():
    """The admin site with Account registered, built once Django is set up."""
    global _site
    if _site is not None:
        return _site
    from django.contrib import admin

    from accounts.models import Account

    class BenchSite(admin.AdminSite):
        def has_permission(self, request) -> bool:
            return request.user.is_active and request.user.is_authenticated

        def _build_app_dict(self, request, label=None):  # Account has no per-app permissions to list
            return {}

    class AccountAdmin(admin.ModelAdmin):
        list_display = ("name", "real_name", "kind")
        list_per_page = PAGE_SIZE
        ordering = ("name",)
        list_select_related = ("domain",)

        def get_queryset(self, request):
            domain = os.environ.get("BENCH_DOMAIN", "client1.test")
            return super().get_queryset(request).filter(domain__name=domain)

        @admin.display(description="Real name")
        def real_name(self, account: Account) -> str:
            return str(account.settings.get("RealName", ""))

        def has_view_permission(self, request, obj=None) -> bool:
            return True

        def has_add_permission(self, request) -> bool:
            return False

        def has_change_permission(self, request, obj=None) -> bool:
            return False

        def has_delete_permission(self, request, obj=None) -> bool:
            return False

    _site = BenchSite(name="bench-admin")
    _site.register(Account, AccountAdmin)
    return _site


def __getattr__(name: str):
    if name == "urlpatterns":  # the URLconf is read after django.setup(), when models can load
        from django.urls import include, path

        # The WebAdmin's URLs stay: its context processors (the same for both) link to them.
        return [path("admin/", site().urls), path("", include("cgadmin.urls"))]
    raise AttributeError(name)


def wsgi():
    """The WSGI application (gunicorn 'bench.admin_changelist:wsgi()')."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.admin_changelist"
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()
