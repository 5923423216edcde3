from django.db import migrations

from portal.core.migration_operations import AddSearchIndex


class Migration(migrations.Migration):

    dependencies = [
        ("conversations", "0001_comments_mentions_follows_inbox"),
    ]

    operations = [
        AddSearchIndex(model_name="comment", fields=["body"], name="comment_search"),
    ]
