"""Files as people attach them: the manager drops two files on a task's conversation, sees what was chosen, uploads
them without a page reload and sees the image's preview; a disguised program in the comment form is refused and the
typed text stays; a client of another company gets 404 for the download. axe-core clean in English and Russian;
screenshots at 1280 px and 375 px under var/screenshots/files/."""

from __future__ import annotations

import base64

import pytest

from conversations.models import Attachment
from projects.models import Membership, Role
from tests import factories as f
from tests.browser.conftest import SCREENSHOTS, axe_check, login
from tests.conversations.conftest import PDF, PNG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1280, 375)

DROP = """([pdf, png]) => {
  const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes(pdf)], "brief.pdf", {type: "application/pdf"}));
  transfer.items.add(new File([bytes(png)], "logo.png", {type: "image/png"}));
  const form = document.querySelector("form.attach-form");
  form.dispatchEvent(new DragEvent("dragover", {dataTransfer: transfer, bubbles: true, cancelable: true}));
  form.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true, cancelable: true}));
  return document.querySelector("form.attach-form input[type=file]").files.length;
}"""


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "locale": "en-GB"}


def _shots(page, name: str) -> None:
    folder = SCREENSHOTS / "files"
    folder.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        fits = "() => { const c = document.querySelector('#comments'); return c.scrollWidth <= c.clientWidth; }"
        assert page.evaluate(fits), f"{name}: the conversation is wider than its box at {width}px"
        page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def test_drop_upload_preview_refusal_and_another_company(page, new_page, live_server, console_errors, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                          "OPTIONS": {"location": str(tmp_path)}}}
    manager = f.StaffFactory(email="pm@studio.example", full_name="Anna Petrova")
    acme = f.ClientFactory(name="Acme")
    globex = f.ClientFactory(name="Globex")
    gina = f.ClientUserFactory(email="gina@globex.example", full_name="Gina Globex", organisation=globex)
    project = f.ProjectFactory(client=acme, manager=manager, name="Acme portal", slug="acme-portal")
    Membership.objects.create(project=project, user=manager, role=Role.MANAGER)
    task = f.TaskFactory(project=project, owner=manager, side="team", title="Homepage copy")

    login(page, manager)
    page.goto(f"/projects/{project.slug}/tasks/{task.pk}/")
    page.locator("form.attach-form").wait_for()
    page.evaluate("() => { window.notReloaded = true; }")

    # two files dropped on the form are listed before sending, then uploaded without a reload
    assert page.evaluate(DROP, [base64.b64encode(PDF).decode(), base64.b64encode(PNG).decode()]) == 2
    assert page.locator(".attach-chosen li").all_inner_texts() == ["brief.pdf — 77 B", "logo.png — 70 B"]
    page.get_by_role("button", name="Upload").click()
    page.locator("#comments [role=status]", has_text="The files were attached.").wait_for(state="attached")
    assert page.evaluate("() => window.notReloaded === true")
    assert Attachment.objects.count() == 2
    preview = page.get_by_role("img", name="Preview of logo.png")
    preview.wait_for()
    page.wait_for_function("() => document.querySelector('.file-thumb img').complete")  # loaded, or failed to
    assert page.evaluate("() => document.querySelector('.file-thumb img').naturalWidth") == 1
    assert axe_check(page) == []
    _shots(page, "files-en")

    # a program named as a PDF, sent with a comment: refused, the text stays, nothing stored (on the page
    # freshly loaded, as after the screenshots' resizing)
    page.goto(f"/projects/{project.slug}/tasks/{task.pk}/")
    page.get_by_role("combobox", name="Comment").fill("The invoice, as promised")
    page.set_input_files("#id_files", files=[{"name": "invoice.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00" + b"\x00" * 60}])
    page.get_by_role("button", name="Post comment").click()
    page.locator(".comment-form .errorlist").wait_for()
    assert "is a program or a script" in page.locator(".comment-form .errorlist").inner_text()
    assert page.get_by_role("combobox", name="Comment").input_value() == "The invoice, as promised"
    assert Attachment.objects.count() == 2 and task.project.comments.count() == 0

    # in Russian
    manager.language = "ru"
    manager.save()
    page.goto(f"/projects/{project.slug}/tasks/{task.pk}/")
    page.get_by_role("button", name="Загрузить").wait_for()
    assert "Прикрепить файлы" in page.locator("#files").inner_text()
    assert axe_check(page) == []
    _shots(page, "files-ru")

    # a client of another company: 404 for the download and the preview
    download = Attachment.objects.get(name="brief.pdf")
    other = new_page()
    login(other, gina)
    assert other.goto(f"/projects/{project.slug}/files/{download.pk}/").status == 404
    assert other.goto(f"/projects/{project.slug}/files/{download.pk + 1}/preview/").status == 404
    assert console_errors == []
