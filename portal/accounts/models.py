from __future__ import annotations

import secrets

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.core.models import TimeStamped
from portal.core.time import validate_time_zone


class Language(models.TextChoices):
    EN = "en", _("English")
    RU = "ru", _("Russian")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Delivery(models.TextChoices):
    """How a person hears of one kind of inbox line (a mention, a reply, a task changed, what awaits them)."""

    INBOX = "inbox", _("Inbox only")
    EMAIL = "email", _("Inbox and e-mail")
    DIGEST = "digest", _("Inbox and the weekly digest")


class Client(TimeStamped):
    """A client company."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    time_zone = models.CharField(_("default time zone"), max_length=64, default="UTC", validators=[validate_time_zone])
    language = models.CharField(_("default language"), max_length=5, choices=Language.choices, default=Language.EN)

    class Meta:
        ordering = ["name"]
        verbose_name = _("client")
        verbose_name_plural = _("clients")

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True, kind=User.Kind.STAFF)
        return self._create(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


class User(AbstractBaseUser, PermissionsMixin):
    """A person: staff of the delivery team or a client contact. Logs in with e-mail."""

    class Kind(models.TextChoices):
        STAFF = "staff", _("staff")
        CLIENT = "client", _("client")

    email = models.EmailField(_("e-mail"), unique=True)
    full_name = models.CharField(_("name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.STAFF)
    organisation = models.ForeignKey(
        Client, verbose_name=_("organisation"), null=True, blank=True, on_delete=models.PROTECT, related_name="people"
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC", validators=[validate_time_zone])
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, default=Language.EN)
    digest_weekday = models.PositiveSmallIntegerField(_("digest weekday"), choices=Weekday.choices, default=Weekday.MONDAY)
    digest_hour = models.PositiveSmallIntegerField(
        _("digest hour"), default=8, validators=[MinValueValidator(0), MaxValueValidator(23)]
    )
    email_reminders = models.BooleanField(_("meeting reminders by e-mail"), default=True)
    email_digest = models.BooleanField(_("weekly digest by e-mail"), default=True)
    email_nudges = models.BooleanField(_("report and decision nudges by e-mail"), default=True)
    notify_mention = models.CharField(_("mentions"), max_length=6, choices=Delivery.choices, default=Delivery.EMAIL)
    notify_reply = models.CharField(
        _("replies in threads I follow"), max_length=6, choices=Delivery.choices, default=Delivery.INBOX
    )
    notify_task = models.CharField(_("changes to my tasks"), max_length=6, choices=Delivery.choices, default=Delivery.INBOX)
    notify_decision = models.CharField(
        _("decisions awaiting me"), max_length=6, choices=Delivery.choices, default=Delivery.EMAIL
    )
    notify_report = models.CharField(_("reports awaiting me"), max_length=6, choices=Delivery.choices, default=Delivery.EMAIL)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    calendar_token = models.CharField(_("calendar feed token"), max_length=64, unique=True, default=secrets.token_urlsafe)
    is_staff = models.BooleanField(_("admin access"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    NOTIFY_FIELDS = ("notify_mention", "notify_reply", "notify_task", "notify_decision", "notify_report")

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["full_name", "email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(condition=models.Q(digest_hour__gte=0, digest_hour__lte=23), name="user_digest_hour_range"),
            models.CheckConstraint(
                condition=models.Q(kind="staff") | models.Q(organisation__isnull=False),
                name="user_client_has_organisation",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def display_name(self) -> str:
        return self.full_name or self.email.split("@")[0]

    @property
    def is_client(self) -> bool:
        return self.kind == self.Kind.CLIENT

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name.split(" ")[0]

    def rotate_calendar_token(self) -> None:
        self.calendar_token = secrets.token_urlsafe()
