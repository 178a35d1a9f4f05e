"""Skins pages: mounted by cgadmin.urls in the Settings realm (server-wide) and the Users realm (a domain's)."""

from django.urls import path

from domains.urls import DOMAIN
from skins import views

settings_pages = [path("Skins", views.server_skins, name="server_skins")]
users_pages = [path(DOMAIN + "Skins", views.domain_skins, name="domain_skins")]
file_patterns = [path("skins/file", views.skin_file, name="skin_file")]
