"""Reply by e-mail, end to end: the manager mentions the client in a comment with a file; the client gets the e-mail
at a real SMTP sink and answers it from their mail program — the reply, with the quoted e-mail, a signature and a
file, goes over SMTP to Rapport's own receiver — and it shows as the client's comment without the quote, with its
file, and in the manager's inbox. A client of another company gets 404 for the thread, the comment and the file,
through the pages and the API. Screenshots under var/screenshots/conversations/."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

import pytest

from conversations.inbound.smtp import reply_controller
from conversations.models import Attachment, Comment
from projects.models import Membership, Role
from tests import factories as f
from tests.browser.conftest import SCREENSHOTS, axe_check, deliver, login
from tests.browser.mailbox import free_port, text_part

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def receiver():
    port = free_port()
    controller = reply_controller(host="127.0.0.1", port=port)
    controller.start()
    yield port
    controller.stop()


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                          "OPTIONS": {"location": str(tmp_path)}}}


def _answer(mail: EmailMessage, *, text: str, attachment: tuple[str, bytes]) -> EmailMessage:
    """What a mail program sends when the person presses Reply: to the Reply-To, the original quoted below."""
    quoted = "\n".join(f"> {line}" for line in text_part(mail).splitlines())
    answer = EmailMessage()
    answer["From"] = "Boris Client <bob@acme.example>"
    answer["To"] = mail["Reply-To"]
    answer["Subject"] = f"Re: {mail['Subject']}"
    answer["In-Reply-To"] = answer["References"] = mail["Message-ID"]
    answer["Message-ID"] = "<reply-1@mail.acme.example>"
    answer.set_content(f"{text}\n\n--\nBoris Client\nAcme Ltd\n\nOn Mon, Dec 7, 2026 at 10:00 AM {mail['From']} wrote:\n{quoted}\n")
    answer.add_attachment(attachment[1], maintype="application", subtype="pdf", filename=attachment[0])
    return answer


def test_a_reply_by_email_becomes_the_clients_comment(page, new_page, mailbox, receiver, console_errors):
    manager = f.StaffFactory(email="pm@studio.example", full_name="Anna Petrova")
    acme = f.ClientFactory(name="Acme")
    bob = f.ClientUserFactory(email="bob@acme.example", full_name="Boris Client", organisation=acme)
    gina = f.ClientUserFactory(email="gina@globex.example", full_name="Gina Globex", organisation=f.ClientFactory(name="Globex"))
    project = f.ProjectFactory(client=acme, manager=manager, name="Acme portal", slug="acme-portal")
    Membership.objects.create(project=project, user=manager, role=Role.MANAGER)
    Membership.objects.create(project=project, user=bob, role=Role.CLIENT)
    task = f.TaskFactory(project=project, owner=bob, side="client", title="Homepage copy")

    # the manager mentions the client in a comment with a file
    login(page, manager)
    page.goto(f"/projects/{project.slug}/tasks/{task.pk}/comments/")
    page.get_by_role("combobox", name="Comment").fill("@bob@acme.example is the copy in the brief final?")
    page.locator(".comment-form input[type=file]").set_input_files(
        [{"name": "brief.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.get_by_role("button", name="Post comment").click()
    page.locator(".comment .mention").wait_for()
    assert page.locator(".comment .file-name").inner_text().startswith("brief.pdf")

    # the client gets one e-mail, at a real SMTP sink, whose Reply-To is their own address for this task
    deliver()
    [mail] = mailbox.wait_for("bob@acme.example")
    assert mail["Reply-To"].startswith("r-") and mail["Reply-To"].endswith("@reply.localhost")
    assert "Or reply to this e-mail" in text_part(mail)
    assert mailbox.per_person() == {"bob@acme.example": 1}

    # they reply from their mail program: the reply goes over SMTP to Rapport's receiver
    answer = _answer(mail, text="Yes, final. The signed version is attached.", attachment=("signed.pdf", PDF))
    with smtplib.SMTP("127.0.0.1", receiver, timeout=10) as smtp:
        assert smtp.send_message(answer) == {}

    reply = Comment.objects.get(task=task, author=bob)
    assert (reply.body, reply.via) == ("Yes, final. The signed version is attached.", "email")
    [signed] = Attachment.objects.filter(comment=reply)
    assert signed.name == "signed.pdf"

    # the manager sees it in the thread, without the quote or the signature, with its file, and in the inbox
    page.goto(f"/projects/{project.slug}/tasks/{task.pk}/comments/")
    shown = page.locator(f"#comment-{reply.pk}")
    assert "Boris Client" in shown.inner_text() and "Yes, final. The signed version is attached." in shown.inner_text()
    assert "by e-mail" in shown.locator(".comment-head").inner_text()
    assert "wrote:" not in shown.inner_text() and "Acme Ltd" not in shown.inner_text()
    assert shown.locator(".file-name").inner_text().startswith("signed.pdf")
    assert axe_check(page) == []
    folder = SCREENSHOTS / "conversations"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / "reply-by-email-thread-1280.png"), full_page=True)
    download = page.request.get(f"/projects/{project.slug}/files/{signed.pk}/")
    assert download.status == 200 and download.body() == PDF
    page.goto("/inbox/")
    assert "Boris Client replied on “Homepage copy”" in page.locator(".inbox-item").first.inner_text()
    page.set_viewport_size({"width": 375, "height": 812})
    page.screenshot(path=str(folder / "reply-by-email-inbox-375.png"), full_page=True)

    # a client of another company: 404 for the thread, the comment and the file, pages and API alike
    other = new_page()
    login(other, gina)
    for url in (
        f"/projects/{project.slug}/tasks/{task.pk}/comments/",
        f"/projects/{project.slug}/files/{signed.pk}/",
        f"/api/v1/projects/{project.slug}/tasks/{task.pk}/comments/",
        f"/api/v1/projects/{project.slug}/comments/{reply.pk}/",
        f"/api/v1/projects/{project.slug}/tasks/{task.pk}/files/",
        f"/api/v1/projects/{project.slug}/tasks/{task.pk}/files/{signed.pk}/download/",
    ):
        assert other.request.get(url).status == 404, url
    assert console_errors == []
