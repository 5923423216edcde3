"""Invitations: a signed, single-use, expiring token e-mailed to a new person.

The token is `django.core.signing` over {invitation id, nonce} with salt
`rapport.invitation`; it is valid for `INVITATION_MAX_AGE_DAYS` and only while
the invitation is pending. Inviting an address that already has an account adds
the membership at once (the invitation is stored as accepted by that account).
"""

from __future__ import annotations

import datetime as dt
import secrets
from functools import partial

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.core.exceptions import ApplicationError
from portal.outbox.services import outbox_supersede_pending
from projects import notifications
from projects.emails import invitation_key_prefix
from projects.models import CLIENT_ROLES, Invitation, Membership, Project
from projects.permissions import project_access, require
from projects.services.audit import audit_record
from projects.services.memberships import check_role_fits, membership_create_unchecked

SALT = "rapport.invitation"


def _max_age() -> dt.timedelta:
    return dt.timedelta(days=settings.INVITATION_MAX_AGE_DAYS)


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt=SALT, compress=True)


@transaction.atomic
def invitation_create(*, actor: User, project: Project, email: str, role: str) -> Invitation:
    """Invite `email` to the project with `role`. Returns the invitation; `accepted_at` is set when the
    address already had an account and was added directly."""
    access = project_access(user=actor, project=project)
    require(access.can_manage_people)
    email = User.objects.normalize_email(email or "").strip().lower()
    now = timezone.now()
    invitation = Invitation(
        project=project, email=email, role=role, invited_by=actor, nonce=secrets.token_urlsafe(24), expires_at=now + _max_age()
    )
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        membership_create_unchecked(actor=actor, project=project, user=existing, role=role, notify=True)
        invitation.accepted_at = now
        invitation.accepted_by = existing
        invitation.full_clean()
        invitation.save()
        return invitation
    # An expired invitation still holds the "one pending per address" slot: free it.
    Invitation.objects.filter(project=project, email=email, accepted_at=None, revoked_at=None, expires_at__lte=now).update(
        revoked_at=now
    )
    if Invitation.objects.filter(project=project, email=email, accepted_at=None, revoked_at=None).exists():
        raise ApplicationError(_("This address has already been invited; resend the invitation instead."), code="already_invited")
    invitation.sent_count = 1
    invitation.full_clean()
    invitation.save()
    audit_record(
        actor=actor, action="invitation.create", obj=invitation, changes={"email": {"old": None, "new": email}, "role": {"old": None, "new": role}}
    )
    transaction.on_commit(partial(notifications.invitation_send, invitation.pk, invitation_token(invitation), 1))
    return invitation


def _pending_locked(invitation: Invitation) -> Invitation:
    invitation = Invitation.objects.select_for_update().select_related("project").get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ApplicationError(_("This invitation has already been accepted."), code="used")
    if invitation.revoked_at is not None:
        raise ApplicationError(_("This invitation has been withdrawn."), code="revoked")
    return invitation


@transaction.atomic
def invitation_resend(*, actor: User, invitation: Invitation) -> Invitation:
    """E-mail the invitation again with a fresh 7-day window and a new link: the earlier link stops working (a
    forwarded or leaked copy of the first e-mail cannot be used once the manager sends it again)."""
    access = project_access(user=actor, project=invitation.project)
    require(access.can_manage_people)
    invitation = _pending_locked(invitation)
    old_expiry = invitation.expires_at
    invitation.nonce = secrets.token_urlsafe(24)
    invitation.expires_at = timezone.now() + _max_age()
    invitation.sent_count += 1
    invitation.full_clean()
    invitation.save()
    # An earlier e-mail still queued would carry the dead link: it does not go out.
    outbox_supersede_pending(dedupe_prefix=invitation_key_prefix(invitation.pk))
    audit_record(
        actor=actor,
        action="invitation.resend",
        obj=invitation,
        changes={"expires_at": {"old": old_expiry.isoformat(), "new": invitation.expires_at.isoformat()}},
    )
    transaction.on_commit(partial(notifications.invitation_send, invitation.pk, invitation_token(invitation), invitation.sent_count))
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    access = project_access(user=actor, project=invitation.project)
    require(access.can_manage_people)
    invitation = _pending_locked(invitation)
    invitation.revoked_at = timezone.now()
    invitation.full_clean()
    invitation.save()
    outbox_supersede_pending(dedupe_prefix=invitation_key_prefix(invitation.pk))  # nothing queued goes out withdrawn
    audit_record(actor=actor, action="invitation.revoke", obj=invitation, changes={"revoked_at": {"old": None, "new": invitation.revoked_at.isoformat()}})
    return invitation


def invitation_from_token(token: str) -> Invitation:
    """The pending invitation a token names, or ApplicationError (code invalid / expired / used / revoked)."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=_max_age())
        pk, nonce = int(payload["i"]), str(payload["n"])
    except signing.SignatureExpired:
        raise ApplicationError(_("This invitation link has expired. Ask for a new one."), code="expired")
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise ApplicationError(_("This invitation link is not valid."), code="invalid")
    invitation = Invitation.objects.select_related("project", "project__client", "invited_by").filter(pk=pk, nonce=nonce).first()
    if invitation is None:
        raise ApplicationError(_("This invitation link is not valid."), code="invalid")
    if invitation.accepted_at is not None:
        raise ApplicationError(_("This invitation has already been accepted."), code="used")
    if invitation.revoked_at is not None:
        raise ApplicationError(_("This invitation has been withdrawn."), code="revoked")
    if invitation.expires_at <= timezone.now():
        raise ApplicationError(_("This invitation link has expired. Ask for a new one."), code="expired")
    return invitation


@transaction.atomic
def invitation_accept(
    *,
    token: str,
    full_name: str = "",
    password: str | None = None,
    time_zone: str = "UTC",
    language: str = "en",
    user: User | None = None,
) -> User:
    """Accept once: create the account (or join `user` / the existing account of the address), add the
    membership, mark the invitation accepted. A second call raises ApplicationError(code="used")."""
    invitation = invitation_from_token(token)
    invitation = _pending_locked(invitation)
    project = invitation.project
    if user is None or not getattr(user, "is_authenticated", False):
        user = User.objects.filter(email__iexact=invitation.email).first()
    if user is None:
        user = _new_user(invitation, full_name=full_name, password=password, time_zone=time_zone, language=language)
    if not Membership.objects.filter(project=project, user=user).exists():
        check_role_fits(project=project, user=user, role=invitation.role)
        membership_create_unchecked(actor=user, project=project, user=user, role=invitation.role, notify=False)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.full_clean()
    invitation.save()
    audit_record(actor=user, action="invitation.accept", obj=invitation, changes={"accepted_by": {"old": None, "new": user.pk}})
    return user


def _new_user(invitation: Invitation, *, full_name: str, password: str | None, time_zone: str, language: str) -> User:
    client_role = invitation.role in CLIENT_ROLES
    user = User(
        email=invitation.email,
        full_name=full_name.strip(),
        kind=User.Kind.CLIENT if client_role else User.Kind.STAFF,
        organisation=invitation.project.client if client_role else None,
        time_zone=time_zone,
        language=language,
    )
    if not password:
        raise ValidationError({"password": _("Choose a password.")})
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    return user
