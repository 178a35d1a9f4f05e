"""Pages of the Master and Directory realms owned by the realms app."""

from django.urls import path

from realms import directory_views, master_views

master_pages = [
    path("Rights", master_views.server_administrators, name="rights"),
]
directory_pages = [
    path("Units", directory_views.directory_units, name="units"),
]
