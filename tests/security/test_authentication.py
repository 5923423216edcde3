"""Log-in throttling per account and per address, password rules, sessions after a password change.

Elsewhere (not repeated here):
- the lock-out page and its message: tests/portal/test_auth_pages.py::test_too_many_failures_lock_the_account_with_a_friendly_page
- password reset reveals nothing: tests/portal/test_auth_pages.py::test_password_reset_does_not_reveal_whether_an_address_exists
- invitations single-use / expired / revoked / tampered: tests/portal/test_accounts_invite.py,
  tests/projects/test_services_invitation_flow.py::test_invitation_email_link_is_accepted_once
- one-click links single-use, bound to one person, tampered or expired refused: tests/engagement/test_links.py
- API token log-in counted by axes: tests/api/test_auth_api.py
"""

from __future__ import annotations

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tests import factories as f

PASSWORD = "correct-horse-battery"
pytestmark = pytest.mark.django_db


def _login(client: Client, email: str, password: str, ip: str = "203.0.113.7"):
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=ip)


OFFICE = "203.0.113.50"  # one address for a whole office (or every client behind the TLS proxy)


def test_five_bad_passwords_lock_that_account_from_that_address_only(settings):
    # given: Anna and her colleague Boris sign in from one office address
    anna = f.StaffFactory(email="anna@example.com")
    boris = f.StaffFactory(email="boris@example.com")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(Client(), anna.email, "wrong-password", ip=OFFICE).status_code == 200

    # when: the fifth wrong password for Anna's account from that address
    fifth = _login(Client(), anna.email, "wrong-password", ip=OFFICE)
    right_password_same_address = _login(Client(), anna.email, PASSWORD, ip=OFFICE)
    boris_client = Client()
    colleague = _login(boris_client, boris.email, PASSWORD, ip=OFFICE)
    anna_at_home = Client()
    home = _login(anna_at_home, anna.email, PASSWORD, ip="198.51.100.9")

    # then: Anna's account is paused from the office, not elsewhere; Boris is not touched
    assert settings.AXES_FAILURE_LIMIT == 5
    for locked in (fifth, right_password_same_address):
        assert locked.status_code == 429
        assert "Please try again in 15 minutes." in locked.content.decode()
    assert colleague.status_code == 302
    assert boris_client.session["_auth_user_id"] == str(boris.pk)
    assert home.status_code == 302
    assert anna_at_home.session["_auth_user_id"] == str(anna.pk)


def test_many_people_mistyping_behind_one_address_lock_nobody_else_out(settings):
    people = [f.StaffFactory(email=f"person{i}@example.com") for i in range(settings.AXES_FAILURE_LIMIT + 1)]
    for person in people[:-1]:  # each of them mistypes once or twice: many failures from one address in all
        for _ in range(2):
            assert _login(Client(), person.email, "wrong-password", ip=OFFICE).status_code == 200

    after = [_login(Client(), person.email, PASSWORD, ip=OFFICE) for person in people]

    assert [response.status_code for response in after] == [302] * len(people)


def test_bad_api_tokens_never_lock_out_the_log_in_page(settings):
    person = f.StaffFactory(email="anna@example.com")
    api = Client()
    for i in range(settings.AXES_FAILURE_LIMIT * 4):
        response = api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {i:040d}", REMOTE_ADDR=OFFICE)
        assert response.status_code == 401

    browser = Client()
    response = _login(browser, person.email, PASSWORD, ip=OFFICE)

    assert response.status_code == 302
    assert browser.session["_auth_user_id"] == str(person.pk)


def test_the_lock_out_page_says_when_to_try_again_in_the_persons_language(settings):
    person = f.StaffFactory(email="anna@example.com")
    client = Client(HTTP_ACCEPT_LANGUAGE="ru")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, person.email, "wrong-password")

    locked = _login(client, person.email, PASSWORD)

    assert locked.status_code == 429
    assert "Попробуйте снова через 15 минут." in locked.content.decode()


@pytest.mark.parametrize("weak", ["short1", "1234567890123", "password123", "anna.petrova"])
def test_weak_passwords_are_refused(weak):
    person = f.StaffFactory(email="anna.petrova@example.com", full_name="Anna Petrova")
    with pytest.raises(ValidationError):
        password_validation.validate_password(weak, user=person)
    password_validation.validate_password("tangerine-quartz-meadow", user=person)


def test_the_password_change_form_applies_the_validators():
    person = f.StaffFactory(email="anna@example.com")
    client = Client()
    client.force_login(person)

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )

    assert response.status_code == 200
    person.refresh_from_db()
    assert person.check_password(PASSWORD)


def test_a_password_change_logs_out_every_other_session():
    person = f.StaffFactory(email="anna@example.com")
    laptop, phone = Client(), Client()
    assert _login(laptop, person.email, PASSWORD).status_code == 302
    assert _login(phone, person.email, PASSWORD, ip="203.0.113.8").status_code == 302
    assert phone.get(reverse("home")).status_code == 200

    changed = laptop.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "tangerine-quartz-meadow",
            "new_password2": "tangerine-quartz-meadow",
        },
    )

    assert changed.status_code == 302
    assert laptop.get(reverse("home")).status_code == 200  # the session that changed it stays
    stale = phone.get(reverse("home"))
    assert stale.status_code == 302 and stale["Location"].startswith("/accounts/login/")
    person.refresh_from_db()
    assert person.check_password("tangerine-quartz-meadow")


def test_a_password_reset_logs_out_existing_sessions(mailoutbox):
    person = f.StaffFactory(email="anna@example.com")
    phone = Client()
    _login(phone, person.email, PASSWORD)

    person.set_password("tangerine-quartz-meadow")
    person.save()

    stale = phone.get(reverse("home"))
    assert stale.status_code == 302 and stale["Location"].startswith("/accounts/login/")


def test_an_inactive_account_cannot_log_in():
    person = f.StaffFactory(email="anna@example.com", is_active=False)
    client = Client()

    response = _login(client, person.email, PASSWORD)

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_behind_the_proxy_the_lock_out_counts_the_forwarded_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    person = f.StaffFactory(email="anna@example.com")

    def login(password: str, forwarded: str):
        client = Client()
        response = client.post(
            reverse("login"), {"username": person.email, "password": password}, REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=forwarded,
        )
        return response, client

    for _ in range(settings.AXES_FAILURE_LIMIT):
        login("wrong-password", "198.51.100.1")

    locked, _ = login(PASSWORD, "198.51.100.1")
    elsewhere, client = login(PASSWORD, "198.51.100.2")

    assert locked.status_code == 429
    assert elsewhere.status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)
