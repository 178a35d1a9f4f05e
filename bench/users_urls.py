"""The product's URLconf plus a Django admin site over the same tables, for the benchmark only:
the Accounts and Domains changelists as Django ships them (COUNT for the paginator, OFFSET pages,
search by icontains), each account row with its domain in the same query (list_select_related)."""

from django.contrib import admin
from django.urls import URLPattern, URLResolver, path

from accounts.models import Account
from cgadmin.urls import urlpatterns as product_patterns
from domains.models import Domain
from realms.pages import authenticated

BIG_DOMAIN = "big.bench.test"


class BenchAdminSite(admin.AdminSite):
    """Any logged-in account may look (Account has no is_staff; this site exists only in the bench)."""

    def has_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_authenticated


class ReadOnly(admin.ModelAdmin):
    list_per_page = 50

    def has_module_permission(self, request) -> bool:
        return True

    def has_view_permission(self, request, obj=None) -> bool:
        return True

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class AccountAdmin(ReadOnly):
    """One domain's accounts, as the product's Accounts page shows them."""

    list_display = ("name", "kind", "domain", "real_name")
    list_select_related = ("domain",)
    search_fields = ("name",)
    ordering = ("name",)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(domain__name=BIG_DOMAIN)

    @admin.display(description="Real Name")
    def real_name(self, account: Account) -> str:
        return str(account.settings.get("RealName", ""))


class DomainAdmin(ReadOnly):
    list_display = ("name", "account_count", "suspended")
    search_fields = ("name",)
    ordering = ("name",)


site = BenchAdminSite(name="benchadmin")
site.register(Account, AccountAdmin)
site.register(Domain, DomainAdmin)


def _declare(patterns) -> None:
    """The product's gate refuses views without a declared access: any logged-in account here."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            _declare(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            view = entry.callback
            authenticated(getattr(view, "__func__", view))  # bound methods carry it on their function


admin_patterns = site.get_urls()
_declare(admin_patterns)
urlpatterns = [*product_patterns, path("benchadmin/", (admin_patterns, "admin", site.name))]
