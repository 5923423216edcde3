"""templates/base.html: navigation, language switcher, htmx CSRF header, nothing inline (strict CSP)."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db

AUTH_PAGES = ("login", "password_reset", "password_reset_done", "password_reset_complete")


def test_anonymous_pages_show_the_brand_and_the_language_switcher_but_no_menu(client):
    html = client.get(reverse("login")).content.decode()

    assert "Rapport" in html
    assert f'action="{reverse("accounts:language")}"' in html
    assert 'name="language" value="en"' in html and 'name="language" value="ru"' in html
    assert "Русский" in html
    assert f'action="{reverse("logout")}"' not in html


def test_signed_in_pages_show_who_you_are_and_a_log_out_form(client):
    user = f.StaffFactory(full_name="Anna Petrova", email="anna@example.com")
    client.force_login(user)

    html = client.get(reverse("password_change")).content.decode()

    assert "Anna Petrova" in html
    assert "anna@example.com" in html
    assert re.search(rf'<form method="post" action="{reverse("logout")}">', html)


def test_staff_see_attention_and_clients_do_not(client):
    staff = f.StaffFactory()
    person = f.ClientUserFactory()
    attention = reverse("engagement:attention")

    client.force_login(staff)
    assert f'href="{attention}"' in client.get(reverse("password_change")).content.decode()
    client.force_login(person)
    assert f'href="{attention}"' not in client.get(reverse("password_change")).content.decode()


def test_choosing_russian_is_remembered_in_a_cookie(client):
    response = client.post(reverse("accounts:language"), {"language": "ru", "next": reverse("login")})

    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="ru">' in page
    assert re.search(r'value="ru" lang="ru"\s+class="btn btn-lang active"', page)


def test_the_csrf_token_in_hx_headers_lets_htmx_post():
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("login")).content.decode()
    token = re.search(r"hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'", page).group(1)

    refused = client.post(reverse("accounts:language"), {"language": "ru"})
    accepted = client.post(reverse("accounts:language"), {"language": "ru"}, HTTP_X_CSRFTOKEN=token)

    assert refused.status_code == 403
    assert accepted.status_code == 302
    assert accepted.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"


@pytest.mark.parametrize("name", AUTH_PAGES)
def test_pages_carry_no_inline_script_or_style(client, name):
    response = client.get(reverse(name))
    html = response.content.decode()

    assert response.status_code == 200
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert " style=" not in html
    assert "<style" not in html
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp


def test_static_assets_the_layout_needs_exist():
    from django.contrib.staticfiles import finders

    for path in (
        "vendor/bootstrap/css/bootstrap.min.css",
        "vendor/bootstrap/js/bootstrap.bundle.min.js",
        "vendor/bootstrap-icons/bootstrap-icons.min.css",
        "vendor/bootstrap-icons/fonts/bootstrap-icons.woff2",
        "vendor/chart.js/chart.umd.min.js",
        "vendor/axe-core/axe.min.js",
        "django_htmx/htmx.min.js",
        "css/rapport.css",
    ):
        assert finders.find(path), path


def test_a_missing_page_gets_the_friendly_404_in_the_layout(client, settings):
    settings.DEBUG = False
    user = f.StaffFactory(full_name="Anna Petrova")
    client.force_login(user)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "find that page" in html
    assert "Anna Petrova" in html


def test_the_500_page_renders_without_a_request_context():
    from django.template.loader import get_template

    html = get_template("500.html").render()

    assert "Something went wrong on our side" in html
    assert "<script" not in html
