"""The baseline of webadmin_load_bench.py: Django's own ceiling on this machine.

One view answering a short text, no middleware, no database: what gunicorn and Django cost before
cgadmin does anything. Served with the same gunicorn settings as the WebAdmin."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

SECRET_KEY = "bench-only"
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = __name__
MIDDLEWARE: list[str] = []
INSTALLED_APPS: list[str] = []
DATABASES: dict = {}


def minimal(request: HttpRequest) -> HttpResponse:
    return HttpResponse("OK\n", content_type="text/plain")


urlpatterns = [path("", minimal)]
application = None  # set by gunicorn through django.core.wsgi below


def wsgi():
    """The WSGI application (gunicorn 'bench.minimal_django:wsgi()')."""
    import os

    from django.core.wsgi import get_wsgi_application

    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.minimal_django"
    return get_wsgi_application()
