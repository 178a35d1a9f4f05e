"""Production hardening as a browser and an auditor see it: headers, TLS, the deploy check."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings

PROJECT = Path(settings.PROJECT_DIR)


@pytest.mark.django_db
def test_every_page_forbids_foreign_content_framing_and_sniffing(client):
    response = client.get("/login/")

    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_hsts_is_sent_over_tls_only():
    with override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True):
        over_tls = Client().get("/login/", secure=True)
        plain = Client().get("/login/")

    assert over_tls.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in plain.headers


@pytest.mark.django_db
def test_tls_redirect_spares_the_health_check():
    with override_settings(SECURE_SSL_REDIRECT=True):
        page = Client().get("/login/")
        health = Client().get("/healthz")

    assert page.status_code == 301 and page.headers["Location"].startswith("https://")
    assert health.status_code == 200 and health.content == b"OK\n"


def test_no_template_needs_inline_script_or_style():
    """The CSP forbids inline code; a template that used it would break in the browser."""
    inline = re.compile(r"<script(?![^>]*\bsrc=)|\sstyle=|<style|\son[a-z]+=", re.IGNORECASE)
    offenders = [
        str(path.relative_to(PROJECT))
        for path in PROJECT.rglob("templates/**/*.html")
        if ".venv" not in path.parts and inline.search(path.read_text())
    ]

    assert offenders == []


def test_production_settings_pass_the_deploy_check(tmp_path):
    environment = {
        "PATH": os.environ["PATH"],
        "CGADMIN_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "cgadmin.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "mail.example.com",
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        "REDIS_URL": "redis://127.0.0.1:6379/1",
        "CGATE_BASE": str(tmp_path / "base"),
        "CGADMIN_PASSWORD_KEY": secrets.token_urlsafe(32),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT, env=environment, capture_output=True, text=True, check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
