"""The log-in page in Chromium: it renders under the strict CSP, passes axe, and a person can log in."""

from django.contrib.sessions.models import Session

from tests import factories as f
from tests.browser.conftest import MOBILE, axe_check, login, screenshot


def _session_user_ids() -> set[str]:
    return {str(s.get_decoded().get("_auth_user_id")) for s in Session.objects.all()}


def test_login_page_renders_without_console_errors_and_passes_axe(page, console_errors):
    page.goto("/accounts/login/")

    assert page.title() == "Log in · Rapport"
    assert page.locator("h1").inner_text() == "Log in to Rapport"
    assert page.locator("#id_username").get_attribute("type") == "email"
    assert page.evaluate("() => getComputedStyle(document.querySelector('.btn-primary')).minHeight") == "44px"
    assert page.evaluate("() => window.htmx && window.htmx.config.includeIndicatorStyles === false")
    assert page.evaluate("() => typeof window.bootstrap.Dropdown") == "function"
    screenshot(page, "login-desktop")
    assert axe_check(page) == []
    assert console_errors == []


def test_login_page_fits_a_375_px_phone(page):
    page.set_viewport_size(MOBILE)
    page.goto("/accounts/login/")

    assert page.evaluate("() => document.documentElement.scrollWidth") <= MOBILE["width"]
    assert page.locator(".navbar-toggler").is_visible()
    screenshot(page, "login-375")
    assert axe_check(page) == []


def test_a_person_logs_in_through_the_form_and_sees_who_they_are(page, console_errors):
    user = f.StaffFactory(email="anna@example.com", full_name="Anna Petrova")

    login(page, user, next_url="/accounts/password_change/")

    assert page.url.endswith("/accounts/password_change/")
    assert page.locator(".user-name").inner_text() == "Anna Petrova"
    assert _session_user_ids() == {str(user.pk)}
    screenshot(page, "password-change-signed-in")
    assert axe_check(page) == []

    page.click(".user-menu .dropdown-toggle")
    with page.expect_navigation():
        page.click("text=Log out")
    assert page.locator("h1").inner_text() == "Log in to Rapport"
    assert str(user.pk) not in _session_user_ids()
    assert console_errors == []


def test_a_wrong_password_shows_the_error_and_keeps_the_email(page):
    user = f.StaffFactory(email="anna@example.com")

    login(page, user, password="not-the-password")

    assert "Please enter a correct e-mail and password" in page.locator(".alert-danger").inner_text()
    assert page.input_value("#id_username") == "anna@example.com"
    assert page.input_value("#id_password") == ""
    assert _session_user_ids() <= {"None"}
    screenshot(page, "login-error")


def test_switching_to_russian_is_remembered(page):
    page.goto("/accounts/login/")

    with page.expect_navigation():
        page.click("button[name=language][value=ru]")
    page.goto("/accounts/password_reset/")

    assert page.get_attribute("html", "lang") == "ru"
    assert page.locator("button[name=language][value=ru]").get_attribute("aria-pressed") == "true"
