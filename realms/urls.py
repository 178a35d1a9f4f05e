"""Pages of the Master realm owned by the realms app."""

from django.urls import path

from realms import master_views

master_pages = [
    path("Rights", master_views.server_rights, name="rights"),
]
