"""Search: what each person finds (pages and API), highlighting that escapes user text, constant query counts,
the morphology of both languages and the index on PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from conversations.models import Comment
from engagement.models import Decision, Involvement, Meeting
from projects.models import ProgressReport, Risk, Task
from projects.search import SearchScope, _query, search, sources
from tests import factories as f

pytestmark = pytest.mark.django_db


def _found(groups) -> dict[str, list[str]]:
    return {g.kind: ["".join(text for text, _m in hit.title) for hit in g.hits] for g in groups}


@pytest.fixture
def items(world):
    p, other = world.project, world.other_project
    task = f.TaskFactory(project=p, owner=world.client, title="Import the price list")
    f.ProgressReportFactory(task=task, note="Waiting for the supplier spreadsheet from accounting")
    f.TaskFactory(project=p, owner=world.team, title="Supplier margins (team only)", internal=True)
    f.DecisionFactory(project=p, title="Supplier contract signed", context="Подписание договора с поставщиком")
    f.DecisionFactory(project=p, title="Supplier shortlist", internal=True, involvement=Involvement.INFORMED)
    f.RiskFactory(project=p, title="Supplier may be late", description="The supplier has one truck")
    f.RiskFactory(project=p, title="Supplier pricing leak", internal=True)
    f.MeetingFactory(project=p, title="Kick-off", agenda="Supplier onboarding")
    f.MeetingFactory(project=p, title="Retro", minutes="Supplier was rude", minutes_shared=False)
    f.TaskFactory(project=other, owner=world.manager, title="Globex supplier audit")
    f.DecisionFactory(project=other, title="Globex supplier choice")
    return task


def test_a_word_of_a_report_note_finds_the_task(world, items):
    found = _found(search(user=world.client, text="spreadsheet"))
    assert found == {"tasks": ["Import the price list"]}


def test_the_team_finds_internal_items_of_its_project(world, items):
    found = _found(search(user=world.team, text="supplier"))
    assert sorted(found["tasks"]) == ["Import the price list", "Supplier margins (team only)"]
    assert sorted(found["decisions"]) == ["Supplier contract signed", "Supplier shortlist"]
    assert sorted(found["risks"]) == ["Supplier may be late", "Supplier pricing leak"]
    assert sorted(found["meetings"]) == ["Kick-off", "Retro"]


def test_a_client_finds_nothing_internal_and_nothing_of_another_company(world, items):
    found = _found(search(user=world.client, text="supplier"))
    assert found == {
        "tasks": ["Import the price list"],
        "decisions": ["Supplier contract signed"],
        "risks": ["Supplier may be late"],
        "meetings": ["Kick-off"],  # the Retro's minutes were not shared
    }
    assert _found(search(user=world.other_client, text="supplier")) == {
        "tasks": ["Globex supplier audit"],
        "decisions": ["Globex supplier choice"],
    }
    assert search(user=world.outsider, text="supplier") == []


def test_comments_are_found_as_their_reader_may_see_them(client, world, items):
    internal_task = Task.objects.get(title="Supplier margins (team only)")
    Comment.objects.create(project=world.project, task=items, author=world.client, body="The freight invoice is attached")
    Comment.objects.create(project=world.project, task=items, author=world.team, body="Freight costs too much", internal=True)
    Comment.objects.create(project=world.project, task=internal_task, author=world.team, body="Freight margin")
    Comment.objects.create(project=world.project, task=items, author=world.manager, body="Freight removed",
                           removed_at=timezone.now(), removed_by=world.manager)

    with translation.override("en"):  # the heading is worded in the reader's language
        as_client = search(user=world.client, text="freight")
        as_team = search(user=world.team, text="freight")

    [group] = as_client
    assert group.kind == "comments" and len(group.hits) == 1
    assert "".join(text for text, _m in group.hits[0].title) == f"{world.client.display_name} on “Import the price list”"
    assert group.hits[0].url.endswith(f"#comment-{Comment.objects.get(body__startswith='The freight').pk}")
    assert len(as_team[0].hits) == 3  # the removed one is found by nobody
    assert search(user=world.other_client, text="freight") == []
    client.force_login(world.client)
    page = client.get(reverse("projects:search"), {"q": "freight"}).content.decode()
    assert "<mark>freight</mark> invoice is attached" in page.replace("<mark>Freight</mark>", "<mark>freight</mark>")
    assert "too much" not in page and "Freight margin" not in page and "removed" not in page


def test_russian_text_is_found_by_another_form_of_the_word(world, items):
    found = _found(search(user=world.client, text="договор"))
    assert found == {"decisions": ["Supplier contract signed"]}


def test_russian_morphology_on_postgres(postgres, world, items):
    # "договоры" (plural) finds "договора" (genitive) through the Russian stemmer.
    assert _found(search(user=world.client, text="договоры")) == {"decisions": ["Supplier contract signed"]}
    # and English stemming: "signing" finds "signed".
    assert _found(search(user=world.client, text="contracts signing")) == {"decisions": ["Supplier contract signed"]}


def test_the_page_groups_hits_and_marks_words_escaping_user_text(client, world, items):
    f.TaskFactory(project=world.project, owner=world.client, title="<script>alert(1)</script> supplier portal")
    client.force_login(world.client)
    response = client.get(reverse("projects:search"), {"q": "supplier"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    assert "<mark>supplier</mark>" in html.replace("<mark>Supplier</mark>", "<mark>supplier</mark>")
    assert 'id="results-tasks"' in html and 'id="results-decisions"' in html
    assert "Supplier margins" not in html and "Globex" not in html and "pricing leak" not in html


def test_the_page_says_when_nothing_matched(client, world, items):
    client.force_login(world.client)
    response = client.get(reverse("projects:search"), {"q": "margins"})
    assert response.status_code == 200
    assert "Nothing found for" in response.content.decode()


def test_the_page_asks_anonymous_people_to_log_in(client):
    response = client.get(reverse("projects:search"), {"q": "supplier"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_api_answers_the_same_as_the_page(world, items):
    api = APIClient()
    api.force_authenticate(world.client)
    response = api.get("/api/v1/search/", {"q": "supplier"})
    assert response.status_code == 200
    body = response.json()
    titles = {g["kind"]: [h["title"] for h in g["hits"]] for g in body["groups"]}
    assert titles == {
        "tasks": ["Import the price list"],
        "decisions": ["Supplier contract signed"],
        "risks": ["Supplier may be late"],
        "meetings": ["Kick-off"],
    }
    decision = body["groups"][[g["kind"] for g in body["groups"]].index("decisions")]["hits"][0]
    assert {"text": "Supplier", "match": True} in decision["title_parts"]
    assert decision["project"] == "acme-portal"
    assert APIClient().get("/api/v1/search/", {"q": "supplier"}).status_code in (401, 403)


def test_query_count_does_not_grow_with_hits(world, items, django_assert_num_queries):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            search(user=world.manager, text="ledger")
        return len(ctx.captured_queries)

    f.TaskFactory(project=world.project, owner=world.team, title="Ledger one")
    few = count()
    for n in range(15):
        task = f.TaskFactory(project=world.project, owner=world.team, title=f"Ledger {n}")
        f.ProgressReportFactory(task=task, note="ledger reconciled")
        f.DecisionFactory(project=world.project, title=f"Ledger decision {n}")
    assert len(search(user=world.manager, text="ledger")[0].hits) == 16
    assert count() == few == 1 + len(sources())


@pytest.mark.postgres
def test_every_source_uses_its_full_text_index(postgres, world):
    # given a realistic number of rows of every kind, with statistics
    project, n_rows = world.project, 4000
    now = timezone.now()
    Task.objects.bulk_create(
        Task(project=project, owner=world.team, side="team", title=f"Routine work item {n}", description="Nothing special")
        for n in range(n_rows)
    )
    ProgressReport.objects.bulk_create(
        ProgressReport(task=t, author=world.team, percent=10, state="on_track", note=f"Routine step {t.pk}")
        for t in Task.objects.filter(project=project)
    )
    Risk.objects.bulk_create(
        Risk(project=project, raised_by=world.manager, title=f"Routine risk {n}", description="Small") for n in range(n_rows)
    )
    Decision.objects.bulk_create(
        Decision(project=project, recorded_by=world.manager, title=f"Routine decision {n}", context="Ordinary")
        for n in range(n_rows)
    )
    Meeting.objects.bulk_create(
        Meeting(project=project, title=f"Check-in {n}", agenda="Status", minutes="Went fine",
                starts_at=now + dt.timedelta(hours=n), ends_at=now + dt.timedelta(hours=n, minutes=30))
        for n in range(n_rows)
    )
    first_task = Task.objects.filter(project=project).first()
    Comment.objects.bulk_create(
        Comment(project=project, task=first_task, author=world.team, body=f"Routine remark {n}") for n in range(n_rows)
    )
    with connection.cursor() as cursor:
        for table in ("projects_task", "projects_progressreport", "projects_risk", "engagement_decision", "engagement_meeting",
                      "conversations_comment"):
            cursor.execute(f"ANALYZE {table}")  # noqa: S608 - fixed table names
    scope = SearchScope.for_user(world.manager)
    index_names = {Task: "task_search", ProgressReport: "report_search", Risk: "risk_search", Decision: "decision_search",
                   Comment: "comment_search"}
    for source in sources():
        expected = index_names.get(source.model) or (
            "meeting_minutes_search" if source.fields == ("minutes",) else "meeting_search"
        )
        # when
        plan = _query(source, scope, "zeppelin").explain()
        # then
        assert expected in plan, plan


def test_control_characters_in_the_query_are_ignored(world, items):
    api = APIClient()
    api.force_authenticate(world.client)
    response = api.get("/api/v1/search/", {"q": "spread\x00sheet \x02spreadsheet\x03"})
    assert response.status_code == 200
    assert response.json()["query"] == "spread sheet spreadsheet"
