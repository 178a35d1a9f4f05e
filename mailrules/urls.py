"""Rules pages: account, domain (Users realm) and server (Settings realm)."""

from django.urls import path

from mailrules import views

DOMAIN = "Domains/<str:domain>/"

users_pages = [
    path(DOMAIN + "Rules", views.domain_rules, name="domain_rules"),
    path(DOMAIN + "Accounts/<str:account>/Rules", views.account_rules, name="account_rules"),
]
settings_pages = [
    path("Rules", views.server_rules_page, name="server_rules"),
]
