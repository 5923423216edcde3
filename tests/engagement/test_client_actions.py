"""Client actions: answer a decision, RSVP, sign off the plan, download a meeting, read past digests."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from engagement.models import Attendance, CommunicationPlan, DecisionResponse, Involvement
from tests import factories as f

pytestmark = pytest.mark.django_db


# --- decisions ---------------------------------------------------------------


def _respond_url(decision):
    return reverse("engagement:decision-respond", args=[decision.project.slug, decision.pk])


def test_decision_page_shows_context_and_options_first(client, world):
    decision = f.DecisionFactory(
        project=world.project,
        title="Pick the CMS",
        context="We need editors",
        options="Wagtail or Strapi",
        involvement=Involvement.APPROVAL,
    )
    client.force_login(world.client)

    response = client.get(_respond_url(decision))

    body = response.content.decode()
    assert response.status_code == 200
    assert body.index("We need editors") < body.index("Wagtail or Strapi") < body.index('name="kind"')
    assert 'value="approved"' in body and 'value="acknowledged"' not in body


def test_approve_where_approval_is_asked(client, world):
    decision = f.DecisionFactory(project=world.project, involvement=Involvement.APPROVAL, status="proposed")
    client.force_login(world.client_lead)

    response = client.post(_respond_url(decision), {"kind": "approved", "comment": ""})

    assert response.status_code == 302
    answer = DecisionResponse.objects.get(decision=decision)
    assert (answer.user, answer.kind, answer.via) == (world.client_lead, "approved", "portal")


def test_acknowledge_with_htmx_shows_the_answer_in_place(client, world):
    decision = f.DecisionFactory(project=world.project, involvement=Involvement.CONSULTED)
    client.force_login(world.client)

    response = client.post(_respond_url(decision), {"kind": "acknowledged"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and "You acknowledged this" in body
    assert DecisionResponse.objects.get(decision=decision).kind == "acknowledged"


def test_approve_is_refused_where_only_acknowledgement_is_asked(client, world):
    decision = f.DecisionFactory(project=world.project, involvement=Involvement.CONSULTED)
    client.force_login(world.client)

    response = client.post(_respond_url(decision), {"kind": "approved"})

    assert response.status_code == 400
    assert "does not ask for approval" in response.content.decode()
    assert not DecisionResponse.objects.exists()


def test_an_objection_needs_a_comment(client, world):
    decision = f.DecisionFactory(project=world.project, involvement=Involvement.APPROVAL)
    client.force_login(world.client_lead)

    response = client.post(_respond_url(decision), {"kind": "objected", "comment": "  "})

    assert response.status_code == 400
    assert "Say why you object" in response.content.decode()
    assert not DecisionResponse.objects.exists()


def test_a_second_answer_is_refused_clearly(client, world):
    decision = f.DecisionFactory(project=world.project, involvement=Involvement.CONSULTED)
    f.DecisionResponseFactory(decision=decision, user=world.client, kind="acknowledged", comment="First")
    client.force_login(world.client)

    response = client.post(_respond_url(decision), {"kind": "objected", "comment": "Changed my mind"})

    assert response.status_code == 400
    assert "already answered" in response.content.decode()
    assert list(DecisionResponse.objects.values_list("kind", "comment")) == [("acknowledged", "First")]


def test_own_past_answer_is_shown(client, world):
    decision = f.DecisionFactory(project=world.project, involvement=Involvement.CONSULTED)
    f.DecisionResponseFactory(decision=decision, user=world.client, kind="objected", comment="Too costly")
    client.force_login(world.client)

    body = client.get(_respond_url(decision)).content.decode()

    assert "You objected this" in body or "objected" in body
    assert "Too costly" in body and 'name="kind"' not in body


def test_an_informed_decision_asks_nothing_of_a_plain_client(client, world):
    decision = f.DecisionFactory(project=world.project, involvement=Involvement.INFORMED)
    client.force_login(world.client)

    get = client.get(_respond_url(decision))
    post = client.post(_respond_url(decision), {"kind": "acknowledged"})

    assert 'name="kind"' not in get.content.decode()
    assert post.status_code == 403
    assert not DecisionResponse.objects.exists()


# --- meetings ----------------------------------------------------------------


def _meeting_for(world, **kwargs):
    meeting = f.MeetingFactory(project=world.project, title="Weekly check-in", **kwargs)
    f.AttendanceFactory(meeting=meeting, user=world.client)
    return meeting


def test_rsvp_without_javascript_redirects_and_stores(client, world):
    meeting = _meeting_for(world)
    client.force_login(world.client)

    response = client.post(
        reverse("engagement:meeting-rsvp", args=[world.project.slug, meeting.pk]), {"answer": "maybe", "next": "/"}
    )

    assert response.status_code == 302 and response["Location"] == "/"
    attendance = Attendance.objects.get(meeting=meeting, user=world.client)
    assert attendance.rsvp == "maybe" and attendance.rsvp_at is not None


def test_rsvp_with_htmx_swaps_the_buttons(client, world):
    meeting = _meeting_for(world)
    client.force_login(world.client)

    response = client.post(
        reverse("engagement:meeting-rsvp", args=[world.project.slug, meeting.pk]),
        {"answer": "yes"},
        HTTP_HX_REQUEST="true",
    )

    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert 'value="yes" class="btn rsvp-btn rsvp-yes active" aria-pressed="true"' in body
    assert Attendance.objects.get(meeting=meeting, user=world.client).rsvp == "yes"


def test_rsvp_refuses_a_bad_answer_and_a_past_meeting(client, world):
    past = _meeting_for(
        world, starts_at=timezone.now() - dt.timedelta(days=2), ends_at=timezone.now() - dt.timedelta(days=2, hours=-1)
    )
    ahead = _meeting_for(world)
    client.force_login(world.client)

    bad = client.post(reverse("engagement:meeting-rsvp", args=[world.project.slug, ahead.pk]), {"answer": "perhaps"})
    over = client.post(reverse("engagement:meeting-rsvp", args=[world.project.slug, past.pk]), {"answer": "yes"})

    assert bad.status_code == 400 and "Answer yes, maybe or no" in bad.content.decode()
    assert over.status_code == 400 and "over" in over.content.decode()
    assert set(Attendance.objects.values_list("rsvp", flat=True)) == {"none"}


def test_rsvp_by_someone_not_invited_is_refused(client, world):
    meeting = _meeting_for(world)
    client.force_login(world.client_lead)

    response = client.post(reverse("engagement:meeting-rsvp", args=[world.project.slug, meeting.pk]), {"answer": "yes"})

    assert response.status_code == 403
    assert not Attendance.objects.filter(user=world.client_lead).exists()


def test_ics_download_parses_back(client, world):
    meeting = _meeting_for(world, location="Zoom, room 2")
    client.force_login(world.client)

    response = client.get(reverse("engagement:meeting-ics", args=[world.project.slug, meeting.pk]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    calendar = Calendar.from_ical(response.content)
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == str(meeting.uid)
    assert str(event["SUMMARY"]) == "Weekly check-in"
    assert event.decoded("DTSTART") == meeting.starts_at
    assert str(event["LOCATION"]) == "Zoom, room 2"


# --- plan sign-off -----------------------------------------------------------


def test_client_lead_signs_off_the_current_version(client, world):
    plan = f.CommunicationPlanFactory(project=world.project, version=3)
    client.force_login(world.client_lead)

    response = client.post(
        reverse("engagement:plan-signoff", args=[world.project.slug]), {"version": 3, "confirm": "on", "next": "/"}
    )

    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.signed_off_by, plan.signed_off_version) == (world.client_lead, 3)
    assert plan.signed_off_at is not None


def test_sign_off_of_an_outdated_version_is_refused(client, world):
    plan = f.CommunicationPlanFactory(project=world.project, version=4)
    client.force_login(world.client_lead)

    response = client.post(
        reverse("engagement:plan-signoff", args=[world.project.slug]), {"version": 3, "confirm": "on"}
    )

    assert response.status_code in (400, 409)
    plan.refresh_from_db()
    assert plan.signed_off_version is None


def test_sign_off_needs_the_confirmation_box(client, world):
    plan = f.CommunicationPlanFactory(project=world.project)
    client.force_login(world.client_lead)

    response = client.post(
        reverse("engagement:plan-signoff", args=[world.project.slug]), {"version": plan.version}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 400
    assert "Tick the box" in response.content.decode()
    assert CommunicationPlan.objects.get(pk=plan.pk).signed_off_version is None


def test_a_plain_client_reads_but_cannot_sign_off(client, world):
    plan = f.CommunicationPlanFactory(project=world.project)
    client.force_login(world.client)

    response = client.post(
        reverse("engagement:plan-signoff", args=[world.project.slug]), {"version": plan.version, "confirm": "on"}
    )

    assert response.status_code == 403
    body = response.content.decode()
    assert "Only the client lead" in body and 'name="confirm"' not in body
    assert CommunicationPlan.objects.get(pk=plan.pk).signed_off_version is None


# --- digests -----------------------------------------------------------------


def test_digest_archive_lists_only_my_digests(client, world):
    mine = f.DigestFactory(recipient=world.client, iso_week="2026-W47", subject="Your week 47")
    other = f.DigestFactory(recipient=world.client_lead, iso_week="2026-W47", subject="Lead week 47")
    client.force_login(world.client)

    listing = client.get(reverse("engagement:digests")).content.decode()
    detail = client.get(reverse("engagement:digest", args=[mine.pk]))

    assert "Your week 47" in listing and "Lead week 47" not in listing
    assert detail.status_code == 200
    assert client.get(reverse("engagement:digest", args=[other.pk])).status_code == 404


def test_digest_is_shown_from_the_text_body_escaped(client, world):
    digest = f.DigestFactory(
        recipient=world.client,
        body_text="Task <script>alert(1)</script> is due\nOpen https://example.com/x",
        body_html="<html><body><script>alert(2)</script></body></html>",
    )
    client.force_login(world.client)

    body = client.get(reverse("engagement:digest", args=[digest.pk])).content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert" not in body
    assert '<a href="https://example.com/x"' in body


def test_the_plan_page_is_read_only_for_a_plain_client_and_signable_for_the_lead(client, world):
    f.CommunicationPlanFactory(project=world.project, expectations="Reports every Friday.")
    url = reverse("engagement:plan", args=[world.project.slug])
    signoff_action = reverse("engagement:plan-signoff", args=[world.project.slug])

    client.force_login(world.client)
    plain = client.get(url).content.decode()
    client.force_login(world.client_lead)
    lead = client.get(url).content.decode()

    assert "Reports every Friday." in plain
    assert signoff_action not in plain and 'name="confirm"' not in plain
    assert f'action="{signoff_action}"' in lead and "Sign off version 1" in lead


def test_a_digest_built_by_the_digest_service_reads_in_the_archive(client, world):
    from engagement.services.digests import digest_build, digest_slot

    f.TaskFactory(project=world.project, owner=world.client, title="Send the brand book")
    f.TaskFactory(project=world.project, owner=world.team, title="Internal Okapi", internal=True)
    now = timezone.now()
    slot = digest_slot(
        now=now, time_zone=world.client.time_zone, weekday=world.client.digest_weekday, hour=world.client.digest_hour
    )
    digest = digest_build(person=world.client, slot=slot, now=now)
    client.force_login(world.client)

    listing = client.get(reverse("engagement:digests")).content.decode()
    page = client.get(reverse("engagement:digest", args=[digest.pk])).content.decode()

    assert digest.subject in listing
    assert "Send the brand book" in page and "Internal Okapi" not in page
    assert '<a href="http' in page  # the links of the e-mail stay clickable


def test_internal_decision_and_meeting_of_another_project_are_404(client, world):
    internal = f.DecisionFactory(project=world.project, internal=True)
    foreign_meeting = f.MeetingFactory(project=world.other_project)
    client.force_login(world.client_lead)

    assert client.get(_respond_url(internal)).status_code == 404
    assert client.post(_respond_url(internal), {"kind": "acknowledged"}).status_code == 404
    # a meeting of another project under this project's slug
    url = reverse("engagement:meeting-ics", args=[world.project.slug, foreign_meeting.pk])
    assert client.get(url).status_code == 404
    assert not DecisionResponse.objects.exists()
