"""A meeting series is one calendar event in invitations: a stable UID and a SEQUENCE of its own.

Also a person's answer to a whole series (`SeriesRsvp`), which later occurrences inherit.

The UID column is added empty, filled with a fresh UUID per existing series, then made unique and required.
"""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def fill_uids(apps, schema_editor):
    MeetingSeries = apps.get_model("engagement", "MeetingSeries")
    for series in MeetingSeries.objects.filter(uid__isnull=True).only("pk"):
        MeetingSeries.objects.filter(pk=series.pk).update(uid=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("engagement", "0004_actionlink_moved_from_outbox"), migrations.swappable_dependency(settings.AUTH_USER_MODEL)]

    operations = [
        migrations.AddField(
            model_name="meetingseries",
            name="uid",
            field=models.UUIDField(editable=False, null=True, verbose_name="calendar UID"),
        ),
        migrations.AddField(
            model_name="meetingseries",
            name="sequence",
            field=models.PositiveIntegerField(default=0, verbose_name="calendar sequence"),
        ),
        migrations.RunPython(fill_uids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="meetingseries",
            name="uid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name="calendar UID"),
        ),
        migrations.CreateModel(
            name="SeriesRsvp",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("rsvp", models.CharField(choices=[("none", "no answer"), ("yes", "yes"), ("maybe", "maybe"), ("no", "no")], default="none", max_length=6, verbose_name="RSVP")),
                ("rsvp_at", models.DateTimeField(blank=True, null=True, verbose_name="answered at")),
                ("series", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="rsvps", to="engagement.meetingseries", verbose_name="series")),
                ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="person")),
            ],
            options={"verbose_name": "answer to a series", "verbose_name_plural": "answers to series"},
        ),
        migrations.AddConstraint(
            model_name="seriesrsvp",
            constraint=models.UniqueConstraint(fields=("series", "user"), name="series_rsvp_one_per_person"),
        ),
    ]
