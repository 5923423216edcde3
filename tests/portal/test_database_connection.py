"""The PostgreSQL connection: prepared statements (Django leaves them off by default, DATABASE_PREPARE_THRESHOLD
turns them on through psycopg's `prepare_threshold` option)."""

import pytest
from django.db import connection

from portal.accounts.models import User


@pytest.mark.django_db
def test_a_statement_run_repeatedly_is_prepared_by_the_server(postgres):
    # given a lookup the portal runs on every request
    User.objects.create(email="p@example.com", full_name="P")

    # when it runs a few times more than the threshold on one connection
    threshold = connection.settings_dict["OPTIONS"]["prepare_threshold"]
    for _ in range(threshold + 2):
        assert User.objects.filter(email="p@example.com").exists()

    # then the server holds it as a prepared statement, so it is no longer parsed and planned per run
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('"accounts_user"."email" = ' in sql for sql in prepared), [s for s in prepared if "accounts_user" in s]
