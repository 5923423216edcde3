"""Pages read in Russian show no English source text of the catalogue (two words or more)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from engagement.models import Digest
from engagement.services.digests import digest_send_batch
from tests.i18n.catalogue import english_left, visible_text

pytestmark = pytest.mark.django_db

SLUG = "acme-portal"
MANAGER_PAGES = [
    ("home", {}),
    ("engagement:attention", {}),
    ("accounts:preferences", {}),
    ("projects:create", {}),
    ("projects:overview", {"slug": SLUG}),
    ("projects:tasks", {"slug": SLUG}),
    ("projects:task", {"slug": SLUG, "pk": "task"}),
    ("projects:task-new", {"slug": SLUG}),
    ("projects:risks", {"slug": SLUG}),
    ("projects:people", {"slug": SLUG}),
    ("projects:activity", {"slug": SLUG}),
    ("engagement:plan", {"slug": SLUG}),
    ("engagement:plan-edit", {"slug": SLUG}),
    ("engagement:plan-print", {"slug": SLUG}),
    ("engagement:meetings", {"slug": SLUG}),
    ("engagement:series-new", {"slug": SLUG}),
    ("engagement:meeting", {"slug": SLUG, "pk": "meeting"}),
    ("engagement:meeting", {"slug": SLUG, "pk": "held"}),
    ("engagement:decisions", {"slug": SLUG}),
    ("engagement:decision-new", {"slug": SLUG}),
    ("engagement:decision", {"slug": SLUG, "pk": "decision"}),
    ("engagement:decision", {"slug": SLUG, "pk": "answered"}),
    ("engagement:health", {"slug": SLUG}),
]
CLIENT_PAGES = [
    ("home", {}),
    ("accounts:preferences", {}),
    ("engagement:digests", {}),
    ("projects:task-report", {"slug": SLUG, "pk": "task"}),
    ("projects:overview", {"slug": SLUG}),
    ("projects:tasks", {"slug": SLUG}),
    ("projects:task", {"slug": SLUG, "pk": "task"}),
    ("engagement:plan", {"slug": SLUG}),
    ("engagement:meetings", {"slug": SLUG}),
    ("engagement:meeting", {"slug": SLUG, "pk": "meeting"}),
    ("engagement:meeting", {"slug": SLUG, "pk": "held"}),
    ("engagement:decisions", {"slug": SLUG}),
    ("engagement:decision", {"slug": SLUG, "pk": "decision"}),
]


def _get(client, russian, persona: str, name: str, kwargs: dict):
    kwargs = {k: (russian.objects[v].pk if k == "pk" else v) for k, v in kwargs.items()}
    client.force_login(getattr(russian, persona))
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200, (name, kwargs)
    page = response.content.decode()
    assert '<html lang="ru"' in page
    return page


def _params(pages):
    return [pytest.param(name, kwargs, id=f"{name}-{kwargs.get('pk', '')}".rstrip("-")) for name, kwargs in pages]


@pytest.mark.parametrize(("name", "kwargs"), _params(MANAGER_PAGES))
def test_manager_pages_have_no_english(client, russian, name, kwargs):
    page = _get(client, russian, "manager", name, kwargs)
    assert english_left(visible_text(page)) == []


@pytest.mark.parametrize(("name", "kwargs"), _params(CLIENT_PAGES))
def test_client_lead_pages_have_no_english(client, russian, name, kwargs):
    page = _get(client, russian, "client_lead", name, kwargs)
    assert english_left(visible_text(page)) == []


def test_client_my_work_and_report_form_are_russian(client, russian):
    page = _get(client, russian, "client", "home", {})
    text = visible_text(page)
    assert english_left(text) == []
    assert "Вы должны" in text and "Команда должна вам" in text and "Тексты для главной" in text
    page = _get(client, russian, "client", "projects:task-report", {"slug": SLUG, "pk": "task"})
    assert english_left(visible_text(page)) == [] and "Отправить отчёт" in page


def test_dashboard_warning_reasons_are_sentences_in_russian(client, russian):
    text = visible_text(_get(client, russian, "manager", "home", {}))
    assert "Ранние предупреждения" in text and "Boris Client не проявлял(а) активности 16 дн." in text
    assert "warn.silence" not in text


def test_digest_pages_in_russian(client, russian):
    import datetime as dt

    monday_8_msk = dt.datetime(2026, 11, 30, 5, 0, tzinfo=dt.UTC)
    assert digest_send_batch(kind="client", person_ids=[russian.client.pk], now=monday_8_msk) == 1
    digest = Digest.objects.get(recipient=russian.client)
    listing = _get(client, russian, "client", "engagement:digests", {})
    detail = client.get(reverse("engagement:digest", kwargs={"pk": digest.pk})).content.decode()
    assert english_left(visible_text(listing)) == [] and english_left(visible_text(detail)) == []
    assert "Тексты для главной" in detail


def test_english_reader_still_gets_english(client, russian):
    russian.manager.language = "en"
    russian.manager.save()
    client.force_login(russian.manager)
    client.cookies["rapport_language"] = "en"
    page = client.get(reverse("projects:overview", kwargs={"slug": SLUG})).content.decode()
    assert '<html lang="en"' in page and "Recent activity" in english_left(visible_text(page))


@pytest.mark.parametrize(
    "path", ["/accounts/login/", "/accounts/password_reset/", "/accounts/password_reset/done/", "/no-such-page/"]
)
def test_pages_before_log_in_follow_the_language_cookie(client, path):
    client.cookies["rapport_language"] = "ru"
    response = client.get(path)
    assert response.status_code in {200, 404}
    page = response.content.decode()
    assert '<html lang="ru"' in page and english_left(visible_text(page)) == []


def test_invitation_page_in_the_clients_language(client, russian):
    from projects.services.invitations import invitation_token
    from tests import factories as f

    invitation = f.InvitationFactory(project=russian.project, email="new@acme.example", invited_by=russian.manager)
    client.cookies["rapport_language"] = "ru"
    page = client.get(
        reverse("accounts:invite-accept", kwargs={"token": invitation_token(invitation)})
    ).content.decode()
    assert english_left(visible_text(page)) == [] and "Создать учётную запись" in page


def test_one_click_pages_in_russian(client, russian):
    from engagement.services.links import A, action_link_create, unsubscribe_url

    decision = russian.objects["answered"]
    token = action_link_create(person=russian.client, action=A.ACKNOWLEDGE, obj=decision)
    confirm = client.get(reverse("engagement:action-link", args=[token]))
    unsubscribe = client.get(unsubscribe_url(person=russian.client, preference="email_digest"))
    for response in (confirm, unsubscribe):
        assert response.status_code == 200
        page = response.content.decode()
        assert '<html lang="ru"' in page and english_left(visible_text(page)) == []
