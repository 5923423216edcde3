"""The styled log-in, log-out, password reset and password change pages, and the lock-out page."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from portal.outbox.services import outbox_send_due
from tests import factories as f

PASSWORD = "correct-horse-battery"
pytestmark = pytest.mark.django_db


def _without_csrf_tokens(content: bytes) -> str:
    return re.sub(r'(X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', r"\1…", content.decode())


def _logged_in_user_id(client):
    return client.session.get("_auth_user_id")


def test_login_page_renders_the_styled_form(client):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert "registration/login.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert 'name="username"' in html and 'type="email"' in html
    assert 'name="password"' in html
    assert reverse("password_reset") in html
    assert "Content-Security-Policy" in response.headers


def test_wrong_password_shows_a_clear_error_keeps_the_email_and_logs_nobody_in(client):
    user = f.StaffFactory(email="anna@example.com")

    response = client.post(reverse("login"), {"username": "anna@example.com", "password": "wrong-password"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Please enter a correct e-mail and password" in html
    assert 'value="anna@example.com"' in html
    assert 'class="alert alert-danger"' in html
    assert _logged_in_user_id(client) is None
    user.refresh_from_db()
    assert user.last_login is None


def test_correct_password_logs_in_and_follows_next(client):
    user = f.StaffFactory(email="anna@example.com")
    target = reverse("password_change")

    response = client.post(f"{reverse('login')}?next={target}", {"username": "anna@example.com", "password": PASSWORD, "next": target})

    assert response.status_code == 302
    assert response["Location"] == target
    assert _logged_in_user_id(client) == str(user.pk)
    user.refresh_from_db()
    assert user.last_login is not None


def test_login_ignores_the_case_of_the_email(client):
    user = f.StaffFactory(email="anna@example.com")

    response = client.post(reverse("login"), {"username": "Anna@Example.COM", "password": PASSWORD})

    assert response.status_code == 302
    assert _logged_in_user_id(client) == str(user.pk)


def test_too_many_failures_lock_the_account_with_a_friendly_page(client, settings):
    f.StaffFactory(email="anna@example.com")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(reverse("login"), {"username": "anna@example.com", "password": "wrong-password"})

    locked = client.post(reverse("login"), {"username": "anna@example.com", "password": "wrong-password"})
    even_right = client.post(reverse("login"), {"username": "anna@example.com", "password": PASSWORD})

    for response in (locked, even_right):
        assert response.status_code == 429
        html = response.content.decode()
        assert "Log-in paused for a while" in html
        assert "Please try again in 15 minutes." in html
        assert reverse("password_reset") in html
    assert _logged_in_user_id(client) is None


def test_password_reset_does_not_reveal_whether_an_address_exists(client, mailoutbox):
    f.StaffFactory(email="anna@example.com")

    known = client.post(reverse("password_reset"), {"email": "anna@example.com"}, follow=True)
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.com"}, follow=True)
    assert mailoutbox == []  # nothing is sent inside the request
    outbox_send_due()

    assert [m.to for m in mailoutbox] == [["anna@example.com"]]
    assert known.redirect_chain == unknown.redirect_chain == [(reverse("password_reset_done"), 302)]
    assert _without_csrf_tokens(known.content) == _without_csrf_tokens(unknown.content)
    assert b"If the address you entered belongs to an account" in known.content


def test_password_reset_link_sets_a_new_password(client, mailoutbox):
    user = f.StaffFactory(email="anna@example.com")
    client.post(reverse("password_reset"), {"email": "anna@example.com"})
    outbox_send_due()
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mailoutbox[0].body).group(1)

    form_page = client.get(link, follow=True)
    set_password_url = form_page.redirect_chain[-1][0]
    assert b"Choose a new password" in form_page.content
    done = client.post(set_password_url, {"new_password1": "a-much-newer-secret", "new_password2": "a-much-newer-secret"})

    assert done.status_code == 302
    assert done["Location"] == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password("a-much-newer-secret")


def test_a_used_or_bad_reset_link_says_so_and_changes_nothing(client):
    user = f.StaffFactory(email="anna@example.com")

    response = client.get(reverse("password_reset_confirm", kwargs={"uidb64": "MQ", "token": "bad-token"}))

    assert response.status_code == 200
    assert b"This link no longer works" in response.content
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_logout_needs_a_post_and_then_shows_the_logged_out_page(client):
    user = f.StaffFactory()
    client.force_login(user)

    refused = client.get(reverse("logout"))
    assert refused.status_code == 405
    assert _logged_in_user_id(client) == str(user.pk)

    response = client.post(reverse("logout"), follow=True)
    assert _logged_in_user_id(client) is None
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("login")


def test_logged_out_template_renders(client):
    response = client.get(reverse("password_reset_complete"))

    assert response.status_code == 200
    assert b"Your password has been set" in response.content


def test_password_change_requires_the_old_password(client):
    user = f.StaffFactory()
    client.force_login(user)

    wrong = client.post(
        reverse("password_change"),
        {"old_password": "not-it", "new_password1": "a-much-newer-secret", "new_password2": "a-much-newer-secret"},
    )
    user.refresh_from_db()
    assert wrong.status_code == 200
    assert b"Your old password was entered incorrectly" in wrong.content
    assert user.check_password(PASSWORD)

    right = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "a-much-newer-secret", "new_password2": "a-much-newer-secret"},
    )
    user.refresh_from_db()
    assert right.status_code == 302
    assert right["Location"] == reverse("password_change_done")
    assert user.check_password("a-much-newer-secret")


def test_password_change_is_for_signed_in_people_only(client):
    response = client.get(reverse("password_change"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert get_user_model().objects.count() == 0
