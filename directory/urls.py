"""Directory realm pages (mounted by cgadmin.urls under every scheme) and the search API."""

from django.urls import path

from directory import views

directory_pages = [
    path("Units", views.directory_units, name="units"),
    path("Browse", views.directory_browse, name="browse"),
    path("AccessRights", views.directory_access, name="access"),
]
api_patterns = [
    path("api/directory/search", views.directory_search_api, name="directory-search"),
]
