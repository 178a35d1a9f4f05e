"""The URLconf: the shell's own pages, then every realm under its schemes (realms.urls)."""

from django.urls import path

from cli.views import cli_http
from directory.urls import api_patterns as directory_api
from directory.urls import directory_pages
from domains.urls import users_pages
from forwarders.urls import users_pages as forwarders_users_pages
from groups.urls import users_pages as groups_users_pages
from lists.urls import users_pages as lists_users_pages
from logs.urls import monitors_pages
from logs.urls import users_pages as logs_users_pages
from mailqueue.urls import monitors_pages as queue_pages
from mailrules.urls import settings_pages as rules_settings_pages
from mailrules.urls import users_pages as rules_users_pages
from realms import views
from realms.urls import master_pages, mount_realms
from server.urls import settings_pages
from skins.urls import file_patterns as skin_files
from skins.urls import settings_pages as skin_settings_pages
from skins.urls import users_pages as skin_users_pages

handler500 = "realms.views.server_error"

urlpatterns = [
    path("", views.root_view, name="root"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("healthz", views.health_view, name="health"),
    path("CLI/", cli_http, name="cli-http"),
    *directory_api,
    *skin_files,
    *mount_realms({
        "Settings": [*settings_pages, *skin_settings_pages, *rules_settings_pages],
        "Users": [*users_pages, *forwarders_users_pages, *groups_users_pages, *lists_users_pages, *logs_users_pages,
                  *skin_users_pages, *rules_users_pages],
        "Monitors": [*queue_pages, *monitors_pages],
        "Directory": directory_pages,
        "Master": master_pages,
    }),
]
