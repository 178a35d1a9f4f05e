"""Groups pages of a domain (Users realm)."""

from django.urls import path

from groups import views

DOMAIN = "Domains/<str:domain>/"

users_pages = [
    path(DOMAIN + "Groups", views.domain_groups, name="domain_groups"),
    path(DOMAIN + "Groups/<str:name>", views.domain_group, name="domain_group"),
]
