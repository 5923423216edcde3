"""Open client tasks by due date: the dashboard's "overdue client tasks" walked ~4,000 other tasks on the bench set.

Raw SQL (the same on PostgreSQL and SQLite) so the model's state stays as it is; nothing in the ORM refers to it.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("projects", "0002_perf_task_due_order")]

    operations = [
        migrations.RunSQL(
            sql=(
                "CREATE INDEX task_client_open_due ON projects_task (due_date, id) "
                "WHERE side = 'client' AND status IN ('todo', 'in_progress', 'blocked')"
            ),
            reverse_sql="DROP INDEX task_client_open_due",
        ),
    ]
