"""Users realm pages (mounted by cgadmin.urls under every scheme)."""

from django.urls import path

from domains import views

users_pages = [
    path("Domains", views.domain_list, name="domains"),
]
