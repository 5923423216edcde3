"""ActionLink moved to engagement (engagement 0004 takes it over in the state). State only: the table stays."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0001_initial"),
        ("engagement", "0004_actionlink_moved_from_outbox"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ActionLink")],
            database_operations=[],
        ),
    ]
