"""Monitors realm pages."""

from django.urls import path

from logs import views

monitors_pages = [
    path("Audit", views.audit_trail, name="audit"),
]
