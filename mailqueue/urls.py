"""Monitors realm pages of the queue: the module queues, and one queue's messages with its actions."""

from django.urls import path

from mailqueue import views

monitors_pages = [
    path("Queues", views.queues, name="queues"),
    path("Queues/<str:module>/<str:name>", views.queue_detail, name="queue"),
]
