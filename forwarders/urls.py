"""Forwarders pages of a domain (Users realm)."""

from django.urls import path

from forwarders import views

DOMAIN = "Domains/<str:domain>/"

users_pages = [
    path(DOMAIN + "Forwarders", views.domain_forwarders, name="domain_forwarders"),
    path(DOMAIN + "Forwarders/<str:name>", views.domain_forwarder, name="domain_forwarder"),
]
