from engagement.models.decisions import Decision, DecisionResponse, Impact, Involvement  # noqa: F401
from engagement.models.digests import Digest  # noqa: F401
from engagement.models.health import (  # noqa: F401
    Absence,
    HealthLevel,
    HealthOverride,
    HealthSnapshot,
    HealthWarning,
    QuietPeriod,
)
from engagement.models.links import ActionLink  # noqa: F401
from engagement.models.meetings import Attendance, Meeting, MeetingSeries, MeetingStatus, Rsvp, SeriesRsvp  # noqa: F401
from engagement.models.milestones import Milestone  # noqa: F401
from engagement.models.plan import Channel, CommunicationPlan, PlanVersion, Raci, Stakeholder  # noqa: F401
