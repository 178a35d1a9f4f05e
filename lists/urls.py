"""Mailing Lists pages of a domain (Users realm)."""

from django.urls import path

from lists import views

DOMAIN = "Domains/<str:domain>/"

users_pages = [
    path(DOMAIN + "Lists", views.domain_lists, name="domain_lists"),
    path(DOMAIN + "Lists/<str:name>", views.domain_list, name="domain_list"),
]
