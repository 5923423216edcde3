"""Credentials: a new password revokes the API tokens; the reset mail goes through the outbox, rate-limited per
address and per account, with the same work for every address typed."""

from __future__ import annotations

import re
import socket

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token

from portal.outbox.models import MessageKind, MessageStatus, OutboundMessage
from portal.outbox.services import outbox_send_due
from tests import factories as f

PASSWORD = "correct-horse-battery"
NEW_PASSWORD = "tangerine-quartz-meadow"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _reset(client: Client, email: str, ip: str = "203.0.113.7"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=ip)


def _api_me(token: Token):
    return Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token.key}")


def test_a_password_change_revokes_the_api_tokens_and_the_page_says_so():
    person = f.StaffFactory(email="anna@example.com")
    token = Token.objects.create(user=person)
    assert _api_me(token).status_code == 200
    client = Client()
    client.force_login(person)

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )

    assert response.redirect_chain == [(reverse("password_change_done"), 302)]
    assert "your API tokens no longer work" in response.content.decode()
    assert not Token.objects.filter(user=person).exists()
    assert _api_me(token).status_code == 401


def test_a_refused_password_change_keeps_the_api_tokens():
    person = f.StaffFactory(email="anna@example.com")
    token = Token.objects.create(user=person)
    client = Client()
    client.force_login(person)

    response = client.post(
        reverse("password_change"), {"old_password": "not-it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assert response.status_code == 200
    assert _api_me(token).status_code == 200


def test_a_password_reset_revokes_the_api_tokens_of_that_person_only(mailoutbox):
    person = f.StaffFactory(email="anna@example.com")
    colleague = f.StaffFactory(email="boris@example.com")
    token, other = Token.objects.create(user=person), Token.objects.create(user=colleague)
    client = Client()
    _reset(client, person.email)
    outbox_send_due()
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mailoutbox[0].body).group(1)
    form_page = client.get(link, follow=True)

    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
    )

    assert done.redirect_chain == [(reverse("password_reset_complete"), 302)]
    assert "your API tokens no longer work" in done.content.decode()
    assert _api_me(token).status_code == 401
    assert _api_me(other).status_code == 200


def test_the_reset_mail_is_a_row_in_the_outbox_and_sent_by_the_worker(mailoutbox):
    person = f.ClientUserFactory(email="anna@example.com", language="ru")

    response = _reset(Client(), "Anna@Example.com")

    assert response.status_code == 302
    assert mailoutbox == []
    row = OutboundMessage.objects.get()
    assert (row.kind, row.to_email, row.status, row.recipient) == (MessageKind.PASSWORD_RESET, "Anna@Example.com", "pending", None)

    assert outbox_send_due() == {"sent": 1}

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.subject == "Выберите новый пароль для Rapport"
    assert person.email in message.body
    assert re.search(r"/accounts/reset/[\w-]+/[\w-]+/", message.body)
    row.refresh_from_db()
    assert row.status == MessageStatus.SENT


@pytest.mark.parametrize("email", ["nobody@example.com", "gone@example.com", "invited@example.com"])
def test_an_address_without_a_usable_account_is_queued_alike_and_skipped_at_send_time(email, mailoutbox):
    f.StaffFactory(email="gone@example.com", is_active=False)
    invited = f.StaffFactory(email="invited@example.com")
    invited.set_unusable_password()
    invited.save()

    response = _reset(Client(), email)

    assert response.status_code == 302
    assert OutboundMessage.objects.get().status == MessageStatus.PENDING
    assert outbox_send_due() == {"skipped": 1}
    assert mailoutbox == []


def test_the_request_does_the_same_work_for_a_known_and_an_unknown_address():
    f.StaffFactory(email="anna@example.com")

    def statements(email: str, ip: str) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            assert _reset(Client(), email, ip=ip).status_code == 302
        # the same statements in the same order; only the values differ
        return [re.sub(r"'[^']*'|\"s\d+_x\d+\"|\b\d+\b", "?", q["sql"]) for q in queries.captured_queries]

    known = statements("anna@example.com", "203.0.113.7")
    unknown = statements("nobody@example.com", "203.0.113.8")

    assert known == unknown
    assert not any('"accounts_user"' in sql for sql in known)  # who owns the address is decided by the worker


def test_resets_for_one_account_stop_at_the_limit_and_the_answer_stays_the_same(settings, mailoutbox):
    f.StaffFactory(email="anna@example.com")
    settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT = 3

    answers = [_reset(Client(), "anna@example.com", ip=f"198.51.100.{i}") for i in range(5)]
    other = _reset(Client(), "boris@example.com", ip="198.51.100.1")
    outbox_send_due()

    assert {(a.status_code, a["Location"]) for a in answers} == {(302, reverse("password_reset_done"))}
    assert other.status_code == 302
    assert [m.to for m in mailoutbox] == [["anna@example.com"]] * 3
    assert OutboundMessage.objects.filter(to_email="boris@example.com").count() == 1


def test_resets_from_one_address_stop_at_the_limit_with_a_clear_page(settings):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 2
    for i in range(2):
        assert _reset(Client(), f"person{i}@example.com", ip="203.0.113.50").status_code == 302

    refused = _reset(Client(), "typed@example.com", ip="203.0.113.50")
    elsewhere = _reset(Client(), "typed@example.com", ip="203.0.113.51")

    assert refused.status_code == 429
    html = refused.content.decode()
    assert "Too many password-reset requests from your network. Please try again in an hour." in html
    assert 'value="typed@example.com"' in html  # what was typed is kept
    assert elsewhere.status_code == 302
    assert OutboundMessage.objects.filter(to_email="typed@example.com").count() == 1


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_reset_mail_refused_by_smtp_stays_queued_for_a_retry(settings):
    f.StaffFactory(email="anna@example.com")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _closed_port(), 2
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False

    _reset(Client(), "anna@example.com")
    result = outbox_send_due()

    row = OutboundMessage.objects.get()
    assert result == {"retry": 1}
    assert (row.status, row.attempts) == (MessageStatus.PENDING, 1)
    assert row.send_after > row.created_at


def test_preferences_list_my_api_tokens_by_public_id_only():
    person = f.StaffFactory(email="anna@example.com")
    mine = Token.objects.create(user=person)
    theirs = Token.objects.create(user=f.StaffFactory(email="boris@example.com"))
    client = Client()
    client.force_login(person)

    html = client.get(reverse("accounts:preferences")).content.decode()

    assert f"<code>{mine.key[:8]}…</code>" in html
    assert mine.key not in html
    assert theirs.key[:8] not in html
    assert reverse("accounts:token-revoke", kwargs={"token_id": mine.key[:8]}) in html


def test_revoking_a_token_from_the_preferences_page_stops_it_working():
    person = f.StaffFactory(email="anna@example.com")
    token = Token.objects.create(user=person)
    client = Client()
    client.force_login(person)

    response = client.post(reverse("accounts:token-revoke", kwargs={"token_id": token.key[:8]}), follow=True)

    assert response.redirect_chain == [(reverse("accounts:preferences"), 302)]
    html = response.content.decode()
    assert f"The API token {token.key[:8]} is revoked" in html
    assert "You have no API tokens." in html
    assert _api_me(token).status_code == 401


def test_someone_elses_token_cannot_be_revoked_from_the_page_and_get_changes_nothing():
    person = f.StaffFactory(email="anna@example.com")
    theirs = Token.objects.create(user=f.StaffFactory(email="boris@example.com"))
    client = Client()
    client.force_login(person)
    url = reverse("accounts:token-revoke", kwargs={"token_id": theirs.key[:8]})

    assert client.post(url).status_code == 404
    assert client.get(url).status_code == 405
    assert Client().post(url).status_code == 302  # anonymous: to the log-in page
    assert _api_me(theirs).status_code == 200


def test_a_password_set_by_staff_in_the_admin_revokes_the_api_tokens():
    admin = f.StaffFactory(email="root@example.com", is_staff=True, is_superuser=True)
    person = f.StaffFactory(email="anna@example.com")
    token = Token.objects.create(user=person)
    client = Client()
    client.force_login(admin)

    response = client.post(
        reverse("admin:auth_user_password_change", args=[person.pk]),
        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert "/admin/login/" not in response["Location"]
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    assert _api_me(token).status_code == 401


def test_behind_the_proxy_the_reset_limit_counts_the_forwarded_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 2

    def reset(forwarded: str):
        return Client().post(
            reverse("password_reset"), {"email": "x@example.com"}, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded
        )

    assert [reset("198.51.100.1").status_code for _ in range(2)] == [302, 302]
    assert reset("203.0.113.5, 198.51.100.1").status_code == 429  # an entry the client made up does not help
    assert reset("198.51.100.2").status_code == 302  # another person behind the same proxy
