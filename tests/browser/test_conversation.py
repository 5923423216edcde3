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
