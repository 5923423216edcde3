"""Pages shown after an action show the state the action produced (full pages and htmx fragments alike), and a
page never asks for an answer the one rule says is not awaited."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from engagement.models import CommunicationPlan, Involvement
from engagement.models.decisions import DecisionStatus
from tests import factories as f

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _page(decision):
    return reverse("engagement:decision", args=[decision.project.slug, decision.pk])


def _respond(decision):
    return reverse("engagement:decision-respond", args=[decision.project.slug, decision.pk])


def _chips(body: str) -> str:
    """The decision's state chips (the first chip row of the page body)."""
    return re.search(r'<p class="d-flex flex-wrap gap-2">(.*?)</p>', body, re.S).group(1)


def test_an_approved_decision_does_not_ask_for_approval(client, world):
    # given: approved long ago; this client lead never answered
    decision = f.DecisionFactory(project=world.project, title="Use SSO", involvement=Involvement.APPROVAL,
                                 status=DecisionStatus.APPROVED, decided_by=world.manager)
    client.force_login(world.client_lead)

    body = client.get(_page(decision)).content.decode()
    home = client.get("/").content.decode()

    assert "Your approval is needed" not in body and 'name="kind"' not in body
    assert "no answer is needed any more" in body
    assert "Use SSO" not in home.split('id="decisions-awaiting"')[1].split("</ul>")[0]


def test_approving_on_the_decision_page_with_htmx_shows_the_approved_state(client, world):
    # given: a manager's decision that needs the approval of the only client lead
    decision = f.DecisionFactory(project=world.project, title="Use SSO", involvement=Involvement.APPROVAL,
                                 recorded_by=world.manager, decided_by=world.manager)
    client.force_login(world.client_lead)
    before = client.get(_page(decision)).content.decode()
    assert "no answer yet" in before and "proposed" in _chips(before)

    # when: the answer box on the decision page posts with htmx
    response = client.post(_respond(decision), {"kind": "approved", "comment": "", "in_page": "1"}, **HTMX)

    # then: the fragment is the whole page body in its new state
    body = response.content.decode()
    assert response.status_code == 200
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.APPROVED
    assert f'id="decision-{decision.pk}"' in body
    assert "approved" in _chips(body) and "proposed" not in _chips(body)
    assert "no answer yet" not in body
    assert "You approved this" in body and "Lena Lead" in body
    assert "Your approval is needed" not in body and 'name="kind"' not in body
    # and the full page read afterwards says the same
    after = client.get(_page(decision)).content.decode()
    assert "approved" in _chips(after) and "no answer yet" not in after and "You approved this" in after


def test_an_htmx_answer_from_my_work_replaces_only_the_box(client, world):
    decision = f.DecisionFactory(project=world.project, involvement=Involvement.CONSULTED, status=DecisionStatus.APPROVED)
    client.force_login(world.client)

    body = client.post(_respond(decision), {"kind": "acknowledged", "comment": ""}, **HTMX).content.decode()

    assert body.lstrip().startswith(f'<div class="decision-respond" id="decision-respond-{decision.pk}"')
    assert "You acknowledged this" in body


def test_a_plain_post_redirects_to_a_page_in_the_new_state(client, world):
    decision = f.DecisionFactory(project=world.project, involvement=Involvement.APPROVAL,
                                 recorded_by=world.manager, decided_by=world.manager)
    client.force_login(world.client_lead)

    response = client.post(_respond(decision), {"kind": "approved", "comment": ""}, follow=True)

    body = response.content.decode()
    assert "approved" in _chips(body) and "no answer yet" not in body and "You approved this" in body


def test_the_manager_sees_who_still_has_to_approve(client, world):
    second = f.ClientUserFactory(full_name="Zoe Second")
    world.project.memberships.create(user=second, role="client_lead")
    decision = f.DecisionFactory(project=world.project, involvement=Involvement.APPROVAL, recorded_by=world.team)
    f.DecisionResponseFactory(decision=decision, user=world.client_lead, kind="approved")
    client.force_login(world.manager)

    body = client.get(_page(decision)).content.decode()

    assert "Waiting for the client&#x27;s approval" in body or "Waiting for the client's approval" in body
    assert "Still to approve: Zoe Second" in body
    assert "decision-approve" not in body and f"/decisions/{decision.pk}/approve/" not in body


# --- plan sign-off -------------------------------------------------------------


def test_signing_off_with_htmx_updates_the_banner_and_the_checklist(client, world):
    # given: the manager asked for a sign-off of version 2
    plan = f.CommunicationPlanFactory(project=world.project, version=2, sign_off_requested_at=timezone.now())
    client.force_login(world.client_lead)
    before = client.get(reverse("engagement:plan", args=[world.project.slug])).content.decode()
    assert "waiting for the client lead" in before

    # when
    response = client.post(reverse("engagement:plan-signoff", args=[world.project.slug]),
                           {"version": 2, "confirm": "on"}, **HTMX)

    # then: the form's box, and out of band the banner and the checklist, show the signed plan
    body = response.content.decode()
    plan = CommunicationPlan.objects.get(pk=plan.pk)
    assert response.status_code == 200 and plan.signed_off_version == 2
    assert "waiting for the client lead" not in body
    assert 'id="plan-signoff-banner"' in body and 'hx-swap-oob="true"' in body
    assert "Version 2 signed off by Lena Lead" in body
    assert 'id="plan-checklist"' in body
    checklist = body.split('id="plan-checklist"')[1].split("</section>")[0]
    assert "Signed off by the client, and current" in checklist
    assert re.search(r'<li class="done">\s*<i class="bi bi-check-circle-fill"[^>]*></i>\s*<span class="visually-hidden">Done:</span> Signed off by the client',
                     checklist)
    after = client.get(reverse("engagement:plan", args=[world.project.slug])).content.decode()
    assert "waiting for the client lead" not in after and "Version 2 signed off by Lena Lead" in after
