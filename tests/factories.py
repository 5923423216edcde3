"""factory_boy factories for every model. Build the smallest valid object; tests set what they check."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from engagement import models as em
from engagement.health.config import get_config
from portal.accounts.models import Client, User
from portal.outbox.models import MessageKind, OutboundMessage
from projects import models as pm


class ClientFactory(DjangoModelFactory):
    class Meta:
        model = Client
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Client Co {n}")
    time_zone = "Europe/Moscow"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    kind = User.Kind.STAFF
    time_zone = "UTC"
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class StaffFactory(UserFactory):
    kind = User.Kind.STAFF


class ClientUserFactory(UserFactory):
    kind = User.Kind.CLIENT
    organisation = factory.SubFactory(ClientFactory)
    time_zone = "Europe/Moscow"


class ProjectFactory(DjangoModelFactory):
    class Meta:
        model = pm.Project

    client = factory.SubFactory(ClientFactory)
    name = factory.Sequence(lambda n: f"Project {n}")
    slug = factory.Sequence(lambda n: f"project-{n}")
    manager = factory.SubFactory(StaffFactory)
    status = pm.ProjectStatus.ACTIVE
    start_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))
    target_launch = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=120))


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = pm.Membership

    project = factory.SubFactory(ProjectFactory)
    user = factory.SubFactory(StaffFactory)
    role = pm.Role.TEAM


class InvitationFactory(DjangoModelFactory):
    class Meta:
        model = pm.Invitation

    project = factory.SubFactory(ProjectFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    role = pm.Role.CLIENT
    invited_by = factory.SelfAttribute("project.manager")
    nonce = factory.Sequence(lambda n: f"nonce-{n}")
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))


class TaskFactory(DjangoModelFactory):
    class Meta:
        model = pm.Task

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Task {n}")
    owner = factory.SubFactory(StaffFactory)
    side = factory.LazyAttribute(lambda o: pm.TaskSide.CLIENT if o.owner.kind == User.Kind.CLIENT else pm.TaskSide.TEAM)
    due_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=14))


class ProgressReportFactory(DjangoModelFactory):
    class Meta:
        model = pm.ProgressReport

    task = factory.SubFactory(TaskFactory)
    author = factory.SelfAttribute("task.owner")
    percent = 40
    state = pm.ReportState.ON_TRACK
    note = "Progressing"


class RiskFactory(DjangoModelFactory):
    class Meta:
        model = pm.Risk

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Risk {n}")
    raised_by = factory.SelfAttribute("project.manager")


class AuditEventFactory(DjangoModelFactory):
    class Meta:
        model = pm.AuditEvent

    project = factory.SubFactory(ProjectFactory)
    actor = factory.SelfAttribute("project.manager")
    action = "task.update"
    object_type = "task"
    object_id = "1"


class CommunicationPlanFactory(DjangoModelFactory):
    class Meta:
        model = em.CommunicationPlan
        django_get_or_create = ("project",)

    project = factory.SubFactory(ProjectFactory)
    expectations = "Weekly check-in; reports every Friday."


class StakeholderFactory(DjangoModelFactory):
    class Meta:
        model = em.Stakeholder

    plan = factory.SubFactory(CommunicationPlanFactory)
    user = factory.SubFactory(StaffFactory)
    side = pm.TaskSide.TEAM
    responsibility = "Delivery"


class MeetingSeriesFactory(DjangoModelFactory):
    class Meta:
        model = em.MeetingSeries

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Weekly check-in {n}")
    rrule = "FREQ=WEEKLY;BYDAY=TH"
    first_start = factory.LazyFunction(lambda: timezone.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=1))
    time_zone = "Europe/Moscow"
    organiser = factory.SelfAttribute("project.manager")


class MeetingFactory(DjangoModelFactory):
    class Meta:
        model = em.Meeting

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Meeting {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=2))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(minutes=30))
    time_zone = "Europe/Moscow"


class AttendanceFactory(DjangoModelFactory):
    class Meta:
        model = em.Attendance

    meeting = factory.SubFactory(MeetingFactory)
    user = factory.SubFactory(StaffFactory)


class DecisionFactory(DjangoModelFactory):
    class Meta:
        model = em.Decision

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Decision {n}")
    context = "Why this matters"
    decision = "We go with option A"
    recorded_by = factory.SelfAttribute("project.manager")
    involvement = em.Involvement.INFORMED
    requested_at = factory.LazyFunction(timezone.now)


class MilestoneFactory(DjangoModelFactory):
    class Meta:
        model = em.Milestone

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Milestone {n}")
    date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=21))


class DecisionResponseFactory(DjangoModelFactory):
    class Meta:
        model = em.DecisionResponse

    decision = factory.SubFactory(DecisionFactory)
    user = factory.SubFactory(ClientUserFactory)
    kind = "acknowledged"


class OutboundMessageFactory(DjangoModelFactory):
    class Meta:
        model = OutboundMessage

    kind = MessageKind.NOTICE
    recipient = factory.SubFactory(StaffFactory)
    to_email = factory.SelfAttribute("recipient.email")
    dedupe_key = factory.Sequence(lambda n: f"test:{n}")
    subject = "Hello"
    body_text = "Hello"


class DigestFactory(DjangoModelFactory):
    class Meta:
        model = em.Digest

    class Params:
        body_text = "Nothing due"
        body_html = "<p>Nothing due</p>"

    recipient = factory.SubFactory(ClientUserFactory)
    iso_week = "2026-W48"
    subject = "Your week"
    # The archive reads its bodies through the outbox row it was sent from.
    message = factory.SubFactory(
        OutboundMessageFactory,
        kind=MessageKind.DIGEST,
        recipient=factory.SelfAttribute("..recipient"),
        subject=factory.SelfAttribute("..subject"),
        body_text=factory.SelfAttribute("..body_text"),
        body_html=factory.SelfAttribute("..body_html"),
        status="sent",
        sent_at=factory.LazyFunction(timezone.now),
    )


class HealthSnapshotFactory(DjangoModelFactory):
    class Meta:
        model = em.HealthSnapshot

    project = factory.SubFactory(ProjectFactory)
    iso_year = 2026
    iso_week = factory.Sequence(lambda n: 1 + n % 52)
    as_of = factory.LazyFunction(timezone.now)
    algo_version = factory.LazyFunction(lambda: get_config().version)  # what the pages read (the model default is "h1")
    score = 80
    level = em.HealthLevel.HEALTHY


class HealthWarningFactory(DjangoModelFactory):
    class Meta:
        model = em.HealthWarning

    project = factory.SubFactory(ProjectFactory)
    opened_at = factory.LazyFunction(timezone.now)


class AbsenceFactory(DjangoModelFactory):
    class Meta:
        model = em.Absence

    user = factory.SubFactory(ClientUserFactory)
    starts_on = factory.LazyFunction(timezone.localdate)
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=7))


class HealthOverrideFactory(DjangoModelFactory):
    class Meta:
        model = em.HealthOverride

    project = factory.SubFactory(ProjectFactory)
    level = em.HealthLevel.WATCH
    note = "Client on a planned break"
    set_by = factory.SelfAttribute("project.manager")
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=28))
