"""Monitors realm pages of the logs app, and its Users realm page (the Domain WebAdmin's Audit)."""

from django.urls import path

from logs import views

monitors_pages = [
    path("Logs", views.log_viewer, name="logs"),
    path("Logs/<str:name>", views.log_file, name="log_file"),
    path("LogSettings", views.log_settings_page, name="log_settings"),
    path("Audit", views.audit_trail, name="audit"),
    path("Statistics", views.statistics_page, name="statistics"),
    path("Notifications", views.notifications_page, name="notifications"),
]
users_pages = [
    path("Audit", views.domain_audit_trail, name="domain_audit"),
    path("Domains/<str:domain>/Alerts", views.domain_alerts, name="domain_alerts"),
    path("Domains/<str:domain>/Accounts/<str:account>/Alerts", views.account_alerts, name="account_alerts"),
]
