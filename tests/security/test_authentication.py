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


def test_the_sixth_bad_password_for_one_account_is_refused_from_any_address(settings):
    person = f.StaffFactory(email="anna@example.com")
    client = Client()
    for i in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, person.email, "wrong-password", ip=f"198.51.100.{i + 1}").status_code == 200

    fifth = _login(client, person.email, "wrong-password", ip="198.51.100.20")
    sixth = _login(client, person.email, "wrong-password", ip="198.51.100.21")
    right = _login(client, person.email, PASSWORD, ip="192.0.2.99")

    assert settings.AXES_FAILURE_LIMIT == 5
    for locked in (fifth, sixth, right):
        assert locked.status_code == 429
        assert "Log-in paused for a while" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_one_address_guessing_many_accounts_is_locked_out(settings):
    people = [f.StaffFactory(email=f"person{i}@example.com") for i in range(settings.AXES_FAILURE_LIMIT + 1)]
    client = Client()
    for person in people[:-1]:
        _login(client, person.email, "wrong-password", ip="203.0.113.50")

    locked = _login(client, people[-1].email, PASSWORD, ip="203.0.113.50")
    elsewhere = _login(Client(), people[-1].email, PASSWORD, ip="203.0.113.51")

    assert locked.status_code == 429
    assert "Log-in paused for a while" in locked.content.decode()
    assert elsewhere.status_code == 302  # the account itself is not locked: another address logs in


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
