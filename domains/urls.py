"""Users realm pages (mounted by cgadmin.urls under /Master/Users/, /Users/ and the Domain WebAdmin /Domain/)."""

from django.urls import path

from accounts import import_views
from accounts import views as account_views
from domains import class_views, defaults_views, views

DOMAIN = "Domains/<str:domain>/"
ACCOUNT = DOMAIN + "Accounts/<str:account>"

users_pages = [
    path("Domains", views.domain_list, name="domains"),
    path("AccountDefaults", defaults_views.server_account_defaults, name="server_account_defaults"),
    path("AccountPreferences", defaults_views.server_account_prefs, name="server_account_prefs"),
    path("DomainDefaults", defaults_views.server_domain_defaults, name="server_domain_defaults"),
    path("ServiceClasses", class_views.server_service_classes, name="server_service_classes"),
    path("ServiceClasses/<str:name>", class_views.server_service_class, name="server_service_class"),
    path(DOMAIN + "Settings", views.domain_settings, name="domain_settings"),
    path(DOMAIN + "ServiceClasses", class_views.domain_service_classes, name="domain_service_classes"),
    path(DOMAIN + "ServiceClasses/<str:name>", class_views.domain_service_class, name="domain_service_class"),
    path(DOMAIN + "Accounts", account_views.account_list, name="accounts"),
    path(DOMAIN + "ImportAccounts", import_views.account_import, name="account_import"),
    path(DOMAIN + "ImportAccounts/<int:job>", import_views.account_import_status, name="account_import_status"),
    path(DOMAIN + "ImportAccounts/<int:job>/rejected.csv", import_views.account_import_rejected,
         name="account_import_rejected"),
    path(DOMAIN + "ExportAccounts", import_views.account_export, name="account_export"),
    path(DOMAIN + "AccountDefaults", defaults_views.domain_account_defaults, name="domain_account_defaults"),
    path(DOMAIN + "AccountTemplate", defaults_views.domain_account_template, name="domain_account_template"),
    path(DOMAIN + "AccountPreferences", defaults_views.domain_account_prefs, name="domain_account_prefs"),
    path(ACCOUNT, account_views.account_settings, name="account"),
    path(ACCOUNT + "/Preferences", account_views.account_prefs, name="account_prefs"),
    path(ACCOUNT + "/AccessRights", account_views.account_rights, name="account_rights"),
]
