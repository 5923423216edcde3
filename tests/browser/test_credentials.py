"""Credentials in Chromium: the API tokens in the preferences (listed, revoked), the lock-out page in both languages,
and a password reset through the outbox and a real SMTP server that revokes the person's API token."""

from __future__ import annotations

import re

from axes.models import AccessAttempt
from django.core.cache import cache
from django.test import Client
from rest_framework.authtoken.models import Token

from tests import factories as f
from tests.browser.conftest import PASSWORD, axe_check, deliver, login, screenshot
from tests.browser.mailbox import text_part


def _api_status(token: Token) -> int:
    return Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token.key}").status_code


def test_a_person_sees_and_revokes_their_api_token_in_the_preferences(page, console_errors):
    person = f.ClientUserFactory(email="bob@acme.example", full_name="Boris Client")
    token = Token.objects.create(user=person)
    login(page, person, next_url="/accounts/preferences/")

    tokens = page.locator("#api-tokens")
    assert tokens.locator("h2").inner_text() == "API tokens"
    assert f"{token.key[:8]}…" in tokens.inner_text()
    assert token.key not in page.content()
    tokens.scroll_into_view_if_needed()
    screenshot(page, "preferences-api-tokens-en")
    assert axe_check(page) == []

    with page.expect_navigation():
        tokens.locator("button", has_text="Revoke").click()

    assert f"The API token {token.key[:8]} is revoked" in page.locator(".messages").inner_text()
    assert "You have no API tokens." in page.locator("#api-tokens").inner_text()
    assert _api_status(token) == 401
    screenshot(page, "preferences-api-tokens-revoked-en")
    assert console_errors == []


def test_the_preferences_token_list_in_russian(new_page):
    person = f.ClientUserFactory(email="lena@acme.example", full_name="Лена", language="ru")
    token = Token.objects.create(user=person)
    page = new_page(locale="ru-RU")
    login(page, person, next_url="/accounts/preferences/")

    tokens = page.locator("#api-tokens")
    assert tokens.locator("h2").inner_text() == "API-токены"
    assert tokens.locator("button").inner_text().strip() == "Отозвать"
    assert f"{token.key[:8]}…" in tokens.inner_text()
    screenshot(page, "preferences-api-tokens-ru")


def test_the_lock_out_page_says_when_to_try_again_in_both_languages(new_page, settings):
    person = f.StaffFactory(email="anna@example.com")
    colleague = f.StaffFactory(email="boris@example.com")
    for locale, heading, wait in (
        ("en-GB", "Log-in paused for a while", "Please try again in 15 minutes."),
        ("ru-RU", "Вход временно приостановлен", "Попробуйте снова через 15 минут."),
    ):
        page = new_page(locale=locale)
        for _ in range(settings.AXES_FAILURE_LIMIT):
            login(page, person, password="not-the-password")

        assert page.locator("h1").inner_text() == heading
        assert wait in page.locator(".lead").inner_text()
        screenshot(page, f"lock-out-{locale[:2]}")
        assert axe_check(page) == []
        # the account is paused from this address only: a colleague at the same address logs in
        other = new_page(locale=locale)
        login(other, colleague)
        assert "/accounts/login/" not in other.url
        AccessAttempt.objects.all().delete()  # the next language starts from a fresh count


def test_a_password_reset_by_mail_sets_the_password_and_revokes_the_api_token(page, mailbox):
    cache.clear()
    person = f.StaffFactory(email="anna@example.com", full_name="Anna Petrova")
    token = Token.objects.create(user=person)
    page.goto("/accounts/password_reset/")
    page.fill("#id_email", person.email)
    with page.expect_navigation():
        page.click("form.rp-form button[type=submit]")
    assert "If the address you entered belongs to an account" in page.content()
    assert mailbox.messages() == []  # nothing is sent inside the request

    assert deliver() == {"sent": 1}
    [message] = mailbox.wait_for(person.email)
    assert message["Subject"] == "Choose a new password for Rapport"
    link = re.search(r"https?://\S+/accounts/reset/\S+/", text_part(message)).group(0)
    page.goto(link)
    page.fill("#id_new_password1", "tangerine-quartz-meadow")
    page.fill("#id_new_password2", "tangerine-quartz-meadow")
    with page.expect_navigation():
        page.click("form.rp-form button[type=submit]")

    assert page.locator("h1").inner_text() == "Your password has been set"
    assert "your API tokens no longer work" in page.content()
    screenshot(page, "password-reset-complete-en")
    assert _api_status(token) == 401
    person.refresh_from_db()
    assert person.check_password("tangerine-quartz-meadow") and not person.check_password(PASSWORD)
