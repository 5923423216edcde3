"""Open early warnings, newest first: the dashboard's "needs you" sorted every open warning of the portfolio.

Raw SQL (the same on PostgreSQL and SQLite) so the model's state stays as it is; nothing in the ORM refers to it.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("engagement", "0002_initial")]

    operations = [
        migrations.RunSQL(
            sql="CREATE INDEX warning_open_newest ON engagement_healthwarning (opened_at DESC) WHERE closed_at IS NULL",
            reverse_sql="DROP INDEX warning_open_newest",
        ),
    ]
