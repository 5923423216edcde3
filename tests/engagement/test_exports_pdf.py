"""The decision log and the signed plan as PDF downloads: who may download them, what they hold (read back from the
PDF's own text), in the reader's language and zone, and the links that lead to them."""

from __future__ import annotations

import datetime as dt
import io
import re

import pypdf
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from engagement.models import Involvement
from engagement.models.decisions import DecisionStatus
from engagement.services.decisions import decision_respond
from engagement.services.plan import plan_get_or_create, plan_sign_off, plan_update, stakeholder_add, stakeholder_update
from projects.models import TaskSide
from tests import factories as f

pytestmark = pytest.mark.django_db
TUESDAY_NOON_MSK = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
LOG = reverse("engagement:decisions-pdf", args=["acme-portal"])
SIGNED = reverse("engagement:plan-signed-pdf", args=["acme-portal"])


@pytest.fixture(autouse=True)
def _noon():
    with time_machine.travel(TUESDAY_NOON_MSK, tick=False):
        yield


def pdf_text(response) -> str:
    """The text of every page, as a PDF reader extracts it, with runs of white space made single spaces."""
    assert response["Content-Type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


@pytest.fixture
def log(world):
    """A client-visible decision the lead approved (with a comment), another asked of the client and not yet
    answered, and an internal one."""
    shared = f.DecisionFactory(
        project=world.project, title="Launch on the new domain", involvement=Involvement.APPROVAL,
        decision="Move to portal.acme.example before launch", decided_by=world.manager,
    )
    decision_respond(actor=world.client_lead, decision=shared, kind="approved", comment="Agreed with legal")
    f.DecisionFactory(project=world.project, title="Weekly reports on Fridays", decided_by=world.manager,
                      status=DecisionStatus.APPROVED)
    f.DecisionFactory(project=world.project, title="Bench the vendor quietly", internal=True, requested_at=None)
    f.DecisionFactory(project=world.other_project, title="Globex moves its data centre")
    return shared


@pytest.fixture
def signed_plan(world):
    """Version 3 signed off by the lead; then the plan changed (version 5 is current)."""
    plan = plan_get_or_create(project=world.project)
    lead = stakeholder_add(actor=world.manager, plan=plan, side=TaskSide.CLIENT, user=world.client_lead, is_primary=True,
                           responsibility="Approves scope", raci="A")
    plan = plan_update(actor=world.manager, project=world.project, client_response_hours=48,
                       escalation_path="Anna, then the CEO")
    plan_sign_off(actor=world.client_lead, plan=plan, version=3)
    stakeholder_update(actor=world.manager, stakeholder=lead, responsibility="Approves scope and budget")
    plan = plan_update(actor=world.manager, project=world.project, client_response_hours=24, escalation_path="")
    plan.refresh_from_db()
    assert (plan.version, plan.signed_off_version) == (5, 3)
    return plan


# --- the decision log -------------------------------------------------------------


def test_the_manager_downloads_the_whole_log_with_its_answers(client, world, log):
    client.force_login(world.manager)

    response = client.get(LOG)

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="acme-portal-decision-log-2026-12-01.pdf"'
    text = pdf_text(response)
    assert "Decision log" in text and "Acme portal" in text
    assert "3 decisions." in text
    for title in ("Launch on the new domain", "Weekly reports on Fridays", "Bench the vendor quietly"):
        assert title in text
    assert "internal (hidden from the client)" in text
    # the manager reads UTC: the lead's approval at 09:00
    assert "Lena Lead Approved 1 Dec 2026, 09:00 Agreed with legal" in text
    assert "Times are given in the UTC time zone." in text
    assert "Globex" not in text


def test_a_client_never_finds_an_internal_decision_in_the_pdf(client, world, log):
    client.force_login(world.client)

    text = pdf_text(client.get(LOG))

    assert "Launch on the new domain" in text and "Weekly reports on Fridays" in text
    assert "Bench the vendor quietly" not in text
    assert "internal" not in text
    assert "2 decisions." in text
    # a client of Acme reads Moscow time
    assert "1 Dec 2026, 12:00" in text and "Moscow" in text


def test_the_log_reads_in_russian_for_a_russian_reader(client, world, log, caplog):
    world.client_lead.language = "ru"
    world.client_lead.save(update_fields=["language"])
    client.force_login(world.client_lead)

    response = client.get(LOG)

    # every character is drawn with a shipped font that has it (xhtml2pdf warns of any it cannot draw)
    assert not [r for r in caplog.records if r.name.startswith("xhtml2pdf") and r.levelname == "WARNING"]
    text = pdf_text(response)
    assert "Журнал решений" in text
    assert "Lena Lead Утверждено 1 декабря 2026, 12:00 Agreed with legal" in text
    assert "Москва" in text
    assert "Launch on the new domain" in text
    assert "Decision log" not in text
    assert response["Content-Disposition"].endswith('filename="acme-portal-decision-log-2026-12-01.pdf"')


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("outsider", 404), ("other_client", 404), ("client", 200), ("client_lead", 200),
     ("team", 200), ("manager", 200)],
)
def test_who_downloads_the_log(client, world, log, who, status):
    if who != "anonymous":
        client.force_login(world.persona(who))

    response = client.get(LOG)

    assert response.status_code == status
    if status != 200:
        assert response.get("Content-Type") != "application/pdf"


def test_an_empty_log_says_so(client, world):
    client.force_login(world.team)

    text = pdf_text(client.get(LOG))

    assert "No decisions logged yet." in text


def test_the_log_pdf_is_read_only(client, world, log):
    client.force_login(world.manager)
    assert client.post(LOG).status_code == 405


# --- the signed plan ---------------------------------------------------------------


def test_the_signed_version_is_downloaded_with_who_signed_it_and_when(client, world, signed_plan):
    client.force_login(world.manager)

    response = client.get(SIGNED)

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="acme-portal-plan-v3-signed-2026-12-01.pdf"'
    text = pdf_text(response)
    assert "Communication plan" in text and "Version 3" in text
    assert "Signed off by Lena Lead, 1 Dec 2026, 09:00" in text and "lead@acme.example" in text
    # what version 3 said, not the current version 5
    assert "Approves scope" in text and "Approves scope and budget" not in text
    assert "Anna, then the CEO" in text
    assert "The client answers within 48 hours" in text and "The client answers within 24 hours" not in text
    assert "The plan has changed since this version was signed off: the current version is 5." in text


def test_the_signed_plan_reads_in_russian(client, world, signed_plan):
    world.client_lead.language = "ru"
    world.client_lead.save(update_fields=["language"])
    client.force_login(world.client_lead)

    text = pdf_text(client.get(SIGNED))

    assert "План коммуникаций" in text and "Версия 3" in text
    assert "Подписал(а) Lena Lead, 1 декабря 2026, 12:00" in text
    assert "Клиент отвечает в течение 48 часов" in text
    assert "После подписания этой версии план менялся: текущая версия — 5." in text
    assert "Страница 1 из 1" in text
    assert "Communication plan" not in text


def test_an_older_signed_version_is_chosen_by_number_and_an_unsigned_one_is_not_found(client, world, signed_plan):
    client.force_login(world.client_lead)
    plan_sign_off(actor=world.client_lead, plan=signed_plan, version=5)

    assert "Version 5" in pdf_text(client.get(SIGNED))
    older = client.get(SIGNED, {"version": "3"})
    assert "Version 3" in pdf_text(older) and "Anna, then the CEO" in pdf_text(older)
    for number in ("4", "99", "abc", "-3", ""):
        assert client.get(SIGNED, {"version": number}).status_code == 404, number


def test_a_plan_never_signed_has_no_signed_pdf(client, world):
    plan_update(actor=world.manager, project=world.project, client_response_hours=24)
    client.force_login(world.manager)

    assert client.get(SIGNED).status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("outsider", 404), ("other_client", 404), ("client", 403), ("client_lead", 200),
     ("team", 200), ("manager", 200)],
)
def test_who_downloads_the_signed_plan(client, world, signed_plan, who, status):
    if who != "anonymous":
        client.force_login(world.persona(who))

    response = client.get(SIGNED)

    assert response.status_code == status
    if status != 200:
        assert response.get("Content-Type") != "application/pdf"


def test_another_companys_signed_plan_is_not_found(client, world, signed_plan):
    other = plan_update(actor=world.manager, project=world.other_project, client_response_hours=12)
    plan_sign_off(actor=world.other_client, plan=other, version=other.version)
    client.force_login(world.client_lead)

    assert client.get(reverse("engagement:plan-signed-pdf", args=["globex-erp"])).status_code == 404


# --- the links ---------------------------------------------------------------------


def test_the_decision_log_page_links_its_pdf(client, world, log):
    client.force_login(world.client)

    body = client.get(reverse("engagement:decisions", args=["acme-portal"])).content.decode()

    assert f'href="{LOG}"' in body


def test_the_plan_pages_link_the_signed_pdf_for_those_who_may_download_it(client, world, signed_plan):
    plan_page = reverse("engagement:plan", args=["acme-portal"])
    versions_page = reverse("engagement:plan-versions", args=["acme-portal"])
    client.force_login(world.client_lead)

    assert f'href="{SIGNED}"' in client.get(plan_page).content.decode()
    versions = client.get(versions_page).content.decode()
    assert f'href="{SIGNED}?version=3"' in versions
    assert f'href="{SIGNED}?version=5"' not in versions and f'href="{SIGNED}?version=4"' not in versions

    client.force_login(world.client)
    assert SIGNED not in client.get(plan_page).content.decode()


def test_the_plan_page_has_no_signed_pdf_link_before_a_sign_off(client, world):
    plan_update(actor=world.manager, project=world.project, client_response_hours=24)
    client.force_login(world.manager)

    assert SIGNED not in client.get(reverse("engagement:plan", args=["acme-portal"])).content.decode()


def test_the_log_pdf_reads_the_same_number_of_queries_for_more_decisions(client, world, log):
    client.force_login(world.manager)
    with CaptureQueriesContext(connection) as few:
        client.get(LOG)
    for n in range(5):
        more = f.DecisionFactory(project=world.project, title=f"More {n}", decided_by=world.team)
        decision_respond(actor=world.client_lead, decision=more, kind="acknowledged")
    with CaptureQueriesContext(connection) as many:
        text = pdf_text(client.get(LOG))

    assert "8 decisions." in text
    assert len(many.captured_queries) == len(few.captured_queries)
