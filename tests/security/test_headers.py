"""Security headers on every HTML page, production cookie and HSTS settings, no inline script or style.

`manage.py check --deploy` with production settings: tests/portal/test_configuration.py::
test_production_settings_pass_check_deploy_without_warnings (not repeated here).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from projects.models import Role
from projects.services.invitations import invitation_create, invitation_token
from tests import factories as f
from tests.security.pages import html_pages, own_objects

ROOT = Path(__file__).resolve().parents[2]
PROD_KEYS = (
    "DEBUG",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "X_FRAME_OPTIONS",
    "LANGUAGE_COOKIE_SECURE",
    "LANGUAGE_COOKIE_HTTPONLY",
    "CSRF_COOKIE_HTTPONLY",
)


def _production_settings() -> dict:
    code = f"import django, json; django.setup(); from django.conf import settings as s; print(json.dumps({{k: getattr(s, k) for k in {PROD_KEYS!r}}}))"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
    }
    env.pop("DEBUG", None)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_cookies_are_secure_and_http_only():
    prod = _production_settings()

    assert prod["DEBUG"] is False
    assert prod["SESSION_COOKIE_SECURE"] is True
    assert prod["SESSION_COOKIE_HTTPONLY"] is True
    assert prod["CSRF_COOKIE_SECURE"] is True
    assert prod["LANGUAGE_COOKIE_SECURE"] is True
    assert prod["SECURE_HSTS_SECONDS"] >= 60 * 60 * 24 * 180
    assert prod["SECURE_SSL_REDIRECT"] is True


@pytest.mark.django_db
def test_production_login_sends_hsts_and_secure_http_only_session_cookie():
    prod = _production_settings()
    prod["SECURE_PROXY_SSL_HEADER"] = tuple(prod["SECURE_PROXY_SSL_HEADER"])
    person = f.StaffFactory(email="anna@example.com")
    with override_settings(**{k: v for k, v in prod.items() if k != "DEBUG"}):
        client = Client()
        plain = client.get(reverse("login"))
        response = client.post(
            reverse("login"), {"username": person.email, "password": "correct-horse-battery"}, secure=True
        )

    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    assert response.status_code == 302
    assert "max-age=" in response["Strict-Transport-Security"]
    assert "includeSubDomains" in response["Strict-Transport-Security"]
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"]
    assert session["samesite"] == "Lax"


def test_every_cookie_the_product_sets_has_the_production_flags(world):
    prod = _production_settings()
    prod["SECURE_PROXY_SSL_HEADER"] = tuple(prod["SECURE_PROXY_SSL_HEADER"])
    invitation = invitation_create(actor=world.manager, project=world.project, email="nina@acme.example", role=Role.CLIENT)
    seen: dict[str, list] = {}

    def keep(response):
        for name, morsel in response.cookies.items():
            seen.setdefault(name, []).append((response.request["PATH_INFO"], morsel))
        return response

    with override_settings(**{k: v for k, v in prod.items() if k != "DEBUG"}):
        client = Client()
        keep(client.get(reverse("login"), secure=True))
        keep(client.post(reverse("login"), {"username": world.client.email, "password": "correct-horse-battery"}, secure=True))
        keep(client.post(reverse("accounts:language"), {"language": "ru", "next": "/"}, secure=True))
        form = {"language": "en", "time_zone": "Europe/Moscow", "digest_weekday": 1, "digest_hour": 8, "email_digest": "on"}
        keep(client.post(reverse("accounts:preferences"), form, secure=True))
        newcomer = Client()
        token = invitation_token(invitation)
        keep(newcomer.get(reverse("accounts:invite-accept", args=[token]), secure=True))
        accept = {"full_name": "Nina", "password1": "a-long-pass-phrase-42", "password2": "a-long-pass-phrase-42"}
        accepted = keep(newcomer.post(reverse("accounts:invite-accept", args=[token]), {**accept, "time_zone": "UTC", "language": "ru"}, secure=True))

    assert accepted.status_code == 302
    assert {"sessionid", "csrftoken", "rapport_language"} <= set(seen)
    assert len(seen["rapport_language"]) == 3  # the switch, the preferences page, the invitation page
    weak = [
        (name, path, flag)
        for name, morsels in seen.items()
        for path, morsel in morsels
        for flag in ("secure", "httponly")
        if not morsel[flag]
    ] + [(name, path, "samesite") for name, morsels in seen.items() for path, morsel in morsels if morsel["samesite"] != "Lax"]
    assert weak == []


def test_every_html_page_sends_the_security_headers(world):
    objects = own_objects(world)
    failures, checked = [], 0
    for persona in ("manager", "client"):
        client = Client()
        client.force_login(world.persona(persona))
        for path in html_pages(world, objects):
            response = client.get(path)
            if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
                continue
            checked += 1
            csp = response.headers.get("Content-Security-Policy", "")
            script_src = re.search(r"script-src ([^;]*)", csp)
            html = response.content.decode()
            problems = [
                "no CSP script-src" if not script_src else "",
                "unsafe-inline in script-src" if script_src and "unsafe" in script_src.group(1) else "",
                "frame-ancestors" if "frame-ancestors 'none'" not in csp else "",
                "X-Frame-Options" if response.headers.get("X-Frame-Options") != "DENY" else "",
                "Referrer-Policy" if not response.headers.get("Referrer-Policy") else "",
                "nosniff" if response.headers.get("X-Content-Type-Options") != "nosniff" else "",
                "inline script" if re.search(r"<script(?![^>]*\b(src=|type=\"application/json\"))[^>]*>", html) else "",
                "style attribute" if re.search(r"<[^>]+\sstyle=", html) else "",
            ]
            if any(problems):
                failures.append(f"{path} as {persona}: {[p for p in problems if p]}")
    assert checked > 40
    assert not failures, "\n".join(failures)


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\b(src=|type=[\"']application/json[\"']))[^>]*>", re.IGNORECASE)
STYLE_ATTR = re.compile(r"<[^>]+\sstyle\s*=|<style\b", re.IGNORECASE)


def test_no_template_has_inline_script_or_style():
    # E-mail templates are exempt: mail clients need inline styles and no CSP applies there. So is the PDF base
    # (templates/pdf/): it is laid out into a PDF by xhtml2pdf, which reads styles from the document, never served.
    offenders = []
    for template in sorted((ROOT / "templates").rglob("*.html")):
        parts = template.relative_to(ROOT / "templates").parts
        if "emails" in parts or parts[0] == "pdf":
            continue
        text = template.read_text()
        if INLINE_SCRIPT.search(text):
            offenders.append(f"{template}: inline <script>")
        if STYLE_ATTR.search(text):
            offenders.append(f"{template}: style")
    assert not offenders, "\n".join(offenders)


def test_the_inline_script_check_catches_what_it_should():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/js/app.js"></script>')
    assert not INLINE_SCRIPT.search('<script type="application/json" id="data">{}</script>')
    assert STYLE_ATTR.search('<div class="x" style="color:red">')
