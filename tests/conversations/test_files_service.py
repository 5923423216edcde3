"""attach_file and friends: size, type from the bytes, disguised programs, access, removal — on both stores."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from conversations import services
from conversations.models import Attachment
from conversations.permissions import thread_access
from conversations.services import attach_file
from projects.models import AuditEvent
from tests import factories as f
from tests.conversations.conftest import PDF, PE, PNG, upload

pytestmark = pytest.mark.django_db


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def test_a_file_is_stored_under_a_random_name_with_its_own_name_kept(world, task, media):
    attachment = attach_file(actor=world.client, target=task, upload=upload("Brief v2.pdf", PDF))

    assert attachment.name == "Brief v2.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.size == len(PDF)
    assert "Brief" not in attachment.file.name and attachment.file.name.startswith("attachments/")
    assert default_storage.exists(attachment.file.name)
    with default_storage.open(attachment.file.name, "rb") as stored:
        assert stored.read() == PDF
    event = AuditEvent.objects.get(action="attachment.add")
    assert event.changes["file_name"] == "Brief v2.pdf" and event.internal is False


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("notes.txt", "Привет, plain text\n".encode(), "text/plain"),
        ("budget.csv", "Статья;Сумма\r\nДизайн;1200\r\n".encode("cp1251"), "text/plain"),
        ("photo.png", PNG, "image/png"),
        ("spec.docx", _docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("scan.JPG", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 40, "image/jpeg"),
    ],
    ids=["txt", "csv-1251", "png", "docx", "jpg"],
)
def test_allowed_types_are_read_from_the_bytes(world, task, name, content, content_type, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                          "OPTIONS": {"location": str(tmp_path)}}}
    assert attach_file(actor=world.manager, target=task, upload=upload(name, content)).content_type == content_type


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("invoice.pdf", PE, "program"),  # a Windows program named as a PDF
        ("report.pdf", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 40, "program"),  # a Linux one
        ("readme.txt", b"#!/bin/sh\nrm -rf ~\n", "program"),  # a script
        ("setup.exe", PE, "program"),
        ("photo.jpg", PNG, "do not match"),  # a real PNG named .jpg
        ("brief.pdf", b"just some text\n", "do not match"),  # text named as a PDF
        ("page.html", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "not a kind of file"),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "not a kind of file"),
        ("tool.zip", b"PK\x03\x04" + b"\x00" * 40, "not a kind of file"),
        ("data.txt", bytes(range(256)) * 4, "not a kind of file"),  # binary named as text
        ("noextension", PDF, "no extension"),
    ],
    ids=["pe-as-pdf", "elf-as-pdf", "script-as-txt", "exe", "png-as-jpg", "text-as-pdf", "html", "svg", "zip", "binary-as-txt", "no-extension"],
)
def test_programs_and_disguised_files_are_refused_and_nothing_is_stored(world, task, name, content, words, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                          "OPTIONS": {"location": str(tmp_path)}}}
    with pytest.raises(ValidationError) as error:
        attach_file(actor=world.manager, target=task, upload=upload(name, content))

    assert words in " ".join(error.value.messages)
    assert name in " ".join(error.value.messages)
    assert Attachment.objects.count() == 0
    assert not AuditEvent.objects.filter(action="attachment.add").exists()
    assert list(tmp_path.rglob("*.*")) == [] and not (tmp_path / "attachments").exists()


def test_a_file_over_the_limit_is_refused_with_the_limit_in_words(world, task, settings, media):
    settings.ATTACHMENT_MAX_BYTES = 1024

    with pytest.raises(ValidationError) as error:
        attach_file(actor=world.manager, target=task, upload=upload("big.pdf", PDF + b"0" * 2000))

    assert "at most 1.0\xa0KB" in error.value.messages[0]
    assert Attachment.objects.count() == 0


def test_someone_who_cannot_see_the_object_cannot_attach(world, task, internal_task, media):
    with pytest.raises(ValidationError):
        attach_file(actor=world.other_client, target=task, upload=upload("a.pdf", PDF))
    with pytest.raises(ValidationError):
        attach_file(actor=world.client, target=internal_task, upload=upload("a.pdf", PDF))
    assert Attachment.objects.count() == 0


def test_a_file_on_a_comment_takes_its_visibility_and_must_be_the_authors(world, task, media):
    thread = thread_access(user=world.team, slug=world.project.slug, kind="tasks", pk=task.pk)
    internal = services.comment_post(actor=world.team, thread=thread, body="Our notes", internal=True)

    attachment = attach_file(actor=world.team, target=task, upload=upload("costs.pdf", PDF), comment=internal)

    assert attachment.internal is True and attachment.comment == internal
    with pytest.raises(ValidationError):
        attach_file(actor=world.manager, target=task, upload=upload("x.pdf", PDF), comment=internal)


def test_a_file_can_be_attached_from_a_plain_django_file(world, task, media):
    """What a mail receiver hands over: a ContentFile with a name."""
    attachment = attach_file(actor=world.client, target=task, upload=ContentFile(PNG, name="screenshot.png"))
    assert attachment.is_image


def test_several_files_go_in_together_or_not_at_all(world, task, media):
    thread = thread_access(user=world.client, slug=world.project.slug, kind="tasks", pk=task.pk)

    with pytest.raises(ValidationError) as error:
        services.attachments_add(actor=world.client, thread=thread, uploads=[
            upload("a.pdf", PDF), upload("evil.pdf", PE), upload("b.png", PNG), upload("c.jpg", PNG),
        ])
    assert len(error.value.message_dict["files"]) == 2
    assert Attachment.objects.count() == 0

    made = services.attachments_add(actor=world.client, thread=thread, uploads=[upload("a.pdf", PDF), upload("b.png", PNG)])
    assert [a.name for a in made] == ["a.pdf", "b.png"]
    assert AuditEvent.objects.filter(action="attachment.add").count() == 2


def test_removing_keeps_the_record_and_deletes_the_bytes(world, task, media, django_capture_on_commit_callbacks):
    attachment = attach_file(actor=world.client, target=task, upload=upload("a.pdf", PDF))
    stored = attachment.file.name
    thread = thread_access(user=world.team, slug=world.project.slug, kind="tasks", pk=task.pk)
    with pytest.raises(PermissionDenied):
        services.attachment_remove(actor=world.team, attachment=attachment, thread=thread)

    thread = thread_access(user=world.manager, slug=world.project.slug, kind="tasks", pk=task.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_remove(actor=world.manager, attachment=attachment, thread=thread)

    row = Attachment.objects.get(pk=attachment.pk)
    assert row.removed_by == world.manager and row.removed_at is not None and row.name == "a.pdf"
    assert not default_storage.exists(stored)
    event = AuditEvent.objects.get(action="attachment.remove")
    assert event.actor == world.manager and event.changes["file_name"] == "a.pdf"
    assert not Attachment.objects.present().exists()


def test_a_refused_file_with_a_comment_leaves_no_comment(world, task, media):
    thread = thread_access(user=world.client, slug=world.project.slug, kind="tasks", pk=task.pk)
    with pytest.raises(ValidationError):
        services.comment_post_with_files(actor=world.client, thread=thread, body="See attached", uploads=[upload("x.pdf", PE)])
    assert task.project.comments.count() == 0


def test_decisions_meetings_and_risks_take_files_too(world, media):
    for target in (
        f.DecisionFactory(project=world.project), f.MeetingFactory(project=world.project),
        f.RiskFactory(project=world.project, raised_by=world.manager),
    ):
        attachment = attach_file(actor=world.manager, target=target, upload=upload("slides.pdf", PDF))
        assert attachment.target == target
