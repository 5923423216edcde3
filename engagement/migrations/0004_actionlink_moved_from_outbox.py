"""ActionLink now lives in engagement, beside the code that uses it. State only: the table keeps its name
(`outbox_actionlink`, set by `db_table`), its rows, constraints and index; nothing runs on the database."""

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("engagement", "0003_perf_warning_open"),
        ("outbox", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ActionLink",
                    fields=[
                        ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ("action", models.CharField(choices=[("ack", "acknowledge a decision"), ("approve", "approve a decision"), ("rsvp_yes", "RSVP yes"), ("rsvp_maybe", "RSVP maybe"), ("rsvp_no", "RSVP no"), ("handle", "I'll handle it"), ("report", "report progress"), ("unsubscribe", "unsubscribe")], max_length=12, verbose_name="action")),
                        ("object_id", models.CharField(max_length=40)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("expires_at", models.DateTimeField(verbose_name="expires at")),
                        ("used_at", models.DateTimeField(blank=True, null=True, verbose_name="used at")),
                        ("used_ip", models.GenericIPAddressField(blank=True, null=True)),
                        ("used_ua", models.CharField(blank=True, max_length=300)),
                        ("revoked_at", models.DateTimeField(blank=True, null=True)),
                        ("object_ct", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="contenttypes.contenttype")),
                        ("person", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="action_links", to=settings.AUTH_USER_MODEL)),
                        ("created_for", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="outbox.outboundmessage")),
                    ],
                    options={
                        "verbose_name": "one-click link",
                        "verbose_name_plural": "one-click links",
                        "db_table": "outbox_actionlink",
                        "indexes": [models.Index(fields=["object_ct", "object_id"], name="actionlink_object")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
