"""Settings realm pages."""

from django.urls import path

from server import views

settings_pages = [
    path("General", views.general, name="general"),
    path("Strings", views.server_strings, name="strings"),
]
