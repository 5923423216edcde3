"""A conversation as people have it: the manager mentions the client in a comment on a task (autocomplete, posted
without a page reload), the client gets one e-mail over real SMTP, signs in, sees the bell's count, opens the inbox,
follows the link to the thread and replies; the manager's inbox shows the reply. A client of another company gets
404 for the thread. axe-core clean; screenshots in English and Russian at 1280 px and 375 px under
var/screenshots/conversations/."""

from __future__ import annotations

import pytest

from conversations.models import Comment
from projects.models import Membership, Role
from tests import factories as f
from tests.browser.conftest import SCREENSHOTS, axe_check, deliver, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1280, 375)


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "locale": "en-GB"}


def _shots(page, name: str) -> None:
    folder = SCREENSHOTS / "conversations"
    folder.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def test_mention_inbox_and_reply(page, new_page, live_server, mailbox, console_errors):
    manager = f.StaffFactory(email="pm@studio.example", full_name="Anna Petrova")
    acme = f.ClientFactory(name="Acme")
    bob = f.ClientUserFactory(email="bob@acme.example", full_name="Boris Client", organisation=acme)
    globex = f.ClientFactory(name="Globex")
    gina = f.ClientUserFactory(email="gina@globex.example", full_name="Gina Globex", organisation=globex)
    project = f.ProjectFactory(client=acme, manager=manager, name="Acme portal", slug="acme-portal")
    Membership.objects.create(project=project, user=manager, role=Role.MANAGER)
    Membership.objects.create(project=project, user=bob, role=Role.CLIENT)
    task = f.TaskFactory(project=project, owner=bob, side="client", title="Homepage copy")

    # the manager writes on the task's page, mentioning the client through the autocomplete
    login(page, manager)
    page.goto(f"/projects/{project.slug}/tasks/{task.pk}/")
    box = page.get_by_role("combobox", name="Comment")
    box.wait_for()
    page.evaluate("() => { window.notReloaded = true; }")
    box.type("Is the copy final, @bor")
    option = page.get_by_role("option", name="Boris Client — bob@acme.example")
    option.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    box.press("Enter")
    assert box.input_value() == "Is the copy final, @bob@acme.example "
    box.type("? **Thanks**")
    box.press("Control+Enter")
    page.locator(".comment .mention").wait_for()
    assert page.evaluate("() => window.notReloaded === true")  # posted without a page reload
    assert page.locator(".comment-body strong").inner_text() == "Thanks"
    assert page.locator("#comments [role=status]").inner_text() == "Your comment was posted."
    assert axe_check(page) == []

    # one e-mail to the client, over SMTP
    deliver()
    assert [m["To"] for m in mailbox.messages()] == ["bob@acme.example"]

    # the client signs in on another computer: the bell says 1; the inbox links to the thread
    client_page = new_page()
    login(client_page, bob)
    bell = client_page.locator(".btn-bell .bell-count")
    assert bell.inner_text() == "1"
    client_page.locator(".btn-bell").click()
    client_page.wait_for_url("**/inbox/")
    assert "Anna Petrova mentioned you on “Homepage copy”" in client_page.locator(".inbox-item").inner_text()
    assert axe_check(client_page) == []
    _shots(client_page, "inbox-en")
    client_page.locator(".inbox-item a").click()
    client_page.wait_for_url(f"**/tasks/{task.pk}/comments/#comment-*")
    assert client_page.locator(".btn-bell .bell-count").count() == 0
    reply = client_page.get_by_role("combobox", name="Comment")
    reply.fill("Yes, it is final.")
    client_page.get_by_role("button", name="Post comment").click()
    client_page.locator(".comment", has_text="Yes, it is final.").wait_for()
    assert axe_check(client_page) == []
    _shots(client_page, "thread-en")

    # the manager's inbox shows the reply
    page.goto("/inbox/")
    assert "Boris Client replied on “Homepage copy”" in page.locator(".inbox-item").first.inner_text()
    _shots(page, "inbox-manager-en")

    # the same pages in Russian
    bob.language = "ru"
    bob.save()
    client_page.goto(f"/projects/{project.slug}/tasks/{task.pk}/comments/")
    assert client_page.get_by_role("button", name="Отправить").is_visible()
    _shots(client_page, "thread-ru")
    client_page.goto("/inbox/")
    assert "упомянул(а) вас" in client_page.locator(".inbox-item").inner_text()
    _shots(client_page, "inbox-ru")

    # a client of another company: 404 for the thread, page and API
    other = new_page()
    login(other, gina)
    assert other.goto(f"/projects/{project.slug}/tasks/{task.pk}/comments/").status == 404
    assert other.goto(f"/api/v1/projects/{project.slug}/tasks/{task.pk}/comments/").status == 404
    assert Comment.objects.filter(task=task).count() == 2
    assert console_errors == []


def test_inbox_kinds_editing_in_place_and_preferences(page, live_server, console_errors):
    """The client's inbox at 375 px: a task changed by the manager, a decision awaiting an answer and a mention,
    grouped by day; a line opened with the keyboard is read; "Mark all read" clears the bell. A comment edited in
    place, without a page reload. The per-kind preferences chosen and saved. axe clean, both languages."""
    from engagement.models.decisions import Involvement
    from engagement.services.decisions import decision_record
    from projects.services.tasks import task_update

    manager = f.StaffFactory(email="pm@studio.example", full_name="Anna Petrova")
    acme = f.ClientFactory(name="Acme")
    bob = f.ClientUserFactory(email="bob@acme.example", full_name="Boris Client", organisation=acme)
    project = f.ProjectFactory(client=acme, manager=manager, name="Acme portal", slug="acme-portal")
    Membership.objects.create(project=project, user=manager, role=Role.MANAGER)
    Membership.objects.create(project=project, user=bob, role=Role.CLIENT)
    task = f.TaskFactory(project=project, owner=bob, side="client", title="Homepage copy")
    task_update(actor=manager, task=task, priority="high")
    decision_record(actor=manager, project=project, title="Hosting provider", involvement=Involvement.CONSULTED)

    page.set_viewport_size({"width": 375, "height": 800})
    login(page, bob)
    assert page.locator(".btn-bell .bell-count").inner_text() == "2"
    page.goto("/inbox/")
    assert page.locator(".inbox-day").count() == 1
    items = page.locator(".inbox-item")
    assert items.count() == 2
    text = items.all_inner_texts()
    assert "A decision awaits your answer: “Hosting provider”" in text[0]
    assert "Anna Petrova changed your task “Homepage copy”: priority" in text[1]
    assert page.evaluate("() => document.documentElement.scrollWidth <= 375")
    assert axe_check(page) == []
    _shots(page, "inbox-kinds-en")
    # keyboard: the first line is reached with Tab and opened with Enter; back in the inbox it reads as read
    page.locator(".inbox-item a").nth(1).focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/projects/{project.slug}/tasks/{task.pk}/")
    page.goto("/inbox/")
    assert page.locator(".inbox-item.unread").count() == 1
    page.get_by_role("button", name="Mark all read").click()
    page.wait_for_url("**/inbox/")
    assert page.locator(".inbox-item.unread").count() == 0 and page.locator(".btn-bell .bell-count").count() == 0

    # a comment edited in place
    page.goto(f"/projects/{project.slug}/tasks/{task.pk}/comments/")
    page.evaluate("() => { window.notReloaded = true; }")
    page.get_by_role("combobox", name="Comment").fill("Frist draft is ready")
    page.get_by_role("button", name="Post comment").click()
    page.locator(".comment", has_text="Frist draft").wait_for()
    page.get_by_role("link", name="Edit").click()
    box = page.get_by_role("combobox", name="Edit comment")
    box.wait_for()
    assert page.evaluate("() => document.activeElement.name") == "body"  # the box has the focus
    assert axe_check(page) == []
    box.fill("First draft is ready")
    page.get_by_role("button", name="Save").click()
    page.locator(".comment", has_text="First draft is ready").wait_for()
    assert page.locator("#comments [role=status]").inner_text() == "Your comment was saved."
    assert page.locator(".comment .comment-edited").count() == 1
    assert page.evaluate("() => window.notReloaded === true")  # no page reload
    assert page.evaluate("() => document.activeElement.id") == page.locator(".comment").first.get_attribute("id")

    # preferences: mentions in the digest, task changes by e-mail
    page.goto("/accounts/preferences/")
    group = page.get_by_role("group", name="Mentions of me")
    assert group.get_by_role("radio", name="Inbox and e-mail").is_checked()
    group.get_by_role("radio", name="Inbox and the weekly digest").check()
    page.get_by_role("group", name="Changes to my tasks by others").get_by_role("radio", name="Inbox and e-mail").check()
    assert axe_check(page) == []
    _shots(page, "preferences-inbox-en")
    page.select_option("#id_language", "ru")  # and from now on, in Russian
    page.get_by_role("button", name="Save preferences").click()
    page.locator(".messages").first.wait_for()
    bob.refresh_from_db()
    assert (bob.notify_mention, bob.notify_task, bob.language) == ("digest", "email", "ru")
    assert page.get_by_role("group", name="Упоминания меня").get_by_role(
        "radio", name="Во входящих и в еженедельном дайджесте").is_checked()
    assert axe_check(page) == []
    _shots(page, "preferences-inbox-ru")
    page.goto("/inbox/")
    assert "изменил(а) вашу задачу «Homepage copy»" in page.locator(".inbox-item").last.inner_text()
    assert axe_check(page) == []
    _shots(page, "inbox-kinds-ru")
    assert console_errors == []
