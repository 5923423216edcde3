"""Files through the pages and the API: upload (several at once), download and preview through the access check,
removal kept on record, refusals that lose nothing — on the local store and on an S3-compatible server."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conversations.models import Attachment, Comment
from conversations.permissions import thread_access
from conversations.services import attach_file, comment_post
from projects.models import AuditEvent
from tests.conversations.conftest import PDF, PE, PNG, thread_url, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    from rest_framework.test import APIClient

    client = APIClient()

    def as_(user):
        client.force_authenticate(user=user)
        return client

    client.as_ = as_
    return client


def files_url(task) -> str:
    return reverse("conversations:task-files", args=[task.project.slug, task.pk])


def download_url(attachment) -> str:
    return reverse("conversations:file-download", args=[attachment.project.slug, attachment.pk])


def preview_url(attachment) -> str:
    return reverse("conversations:file-preview", args=[attachment.project.slug, attachment.pk])


def api_files(task) -> str:
    return reverse("api:task-file-list", args=[task.project.slug, task.pk])


def api_file(attachment, name="task-file-detail") -> str:
    return reverse(f"api:{name}", args=[attachment.project.slug, attachment.target_id, attachment.pk])


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


def test_several_files_in_one_upload_are_listed_previewed_and_downloaded(client, world, task, media):
    client.force_login(world.client)

    response = client.post(files_url(task), {"files": [upload("brief.pdf", PDF), upload("logo.png", PNG)]})

    assert response.status_code == 302 and response["Location"].endswith("#files")
    pdf, png = Attachment.objects.order_by("id")
    assert (pdf.name, png.name) == ("brief.pdf", "logo.png")
    page = client.get(thread_url(task)).content.decode()
    assert "brief.pdf" in page and "logo.png" in page
    assert f'src="{preview_url(png)}"' in page and f'src="{preview_url(pdf)}"' not in page

    download = client.get(download_url(pdf))
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="brief.pdf"'
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download["Content-Security-Policy"]
    assert "private" in download["Cache-Control"]
    assert body_of(download) == PDF

    preview = client.get(preview_url(png))
    assert preview.status_code == 200 and preview["Content-Type"] == "image/png"
    assert preview["Content-Disposition"].startswith("inline")
    assert body_of(preview) == PNG
    assert client.get(preview_url(pdf)).status_code == 404  # only images are shown in the page


def test_the_htmx_upload_answers_the_thread_with_the_files(client, world, task, media):
    client.force_login(world.manager)
    response = client.post(files_url(task), {"files": [upload("a.pdf", PDF)]}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200 and 'id="comments"' in html and "a.pdf" in html
    assert "The files were attached." in html


def test_a_comment_with_files_and_a_refused_file_keeps_the_typed_text(client, world, task, settings, media):
    settings.ATTACHMENT_MAX_BYTES = 100
    client.force_login(world.client)

    refused = client.post(thread_url(task), {"body": "Here is the brief I promised", "files": [upload("brief.pdf", PDF + b"x" * 200)]})

    assert refused.status_code == 400
    html = refused.content.decode()
    assert "Here is the brief I promised" in html
    assert "files can be at most 100" in html and "brief.pdf" in html
    assert Comment.objects.count() == 0 and Attachment.objects.count() == 0

    settings.ATTACHMENT_MAX_BYTES = 10_000
    posted = client.post(thread_url(task), {"body": "Here it is", "files": [upload("brief.pdf", PDF), upload("shot.png", PNG)]})
    assert posted.status_code == 302
    comment = Comment.objects.get()
    assert sorted(comment.attachments.values_list("name", flat=True)) == ["brief.pdf", "shot.png"]
    page = client.get(thread_url(task)).content.decode()
    assert 'aria-label="Files of this comment"' in page


def test_a_disguised_program_is_refused_on_the_page_and_in_the_api(client, api, world, task, media):
    client.force_login(world.client)
    page = client.post(files_url(task), {"files": [upload("invoice.pdf", PE)]})
    assert page.status_code == 400 and "is a program or a script" in page.content.decode()

    response = api.as_(world.client).post(api_files(task), {"files": [upload("invoice.pdf", PE), upload("ok.pdf", PDF)]}, format="multipart")
    assert response.status_code == 400
    assert response.json()["fields"]["files"] == ["“invoice.pdf” is a program or a script; those cannot be attached."]
    assert Attachment.objects.count() == 0


def test_the_size_limit_is_shown_next_to_the_field(client, world, task, settings):
    settings.ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
    client.force_login(world.client)
    page = client.get(thread_url(task)).content.decode()
    assert "Up to 5.0\xa0MB each" in page
    assert 'data-max-bytes="5242880"' in page and 'enctype="multipart/form-data"' in page


def test_another_companys_client_gets_404_for_page_download_preview_and_api(client, api, world, task, media):
    attachment = attach_file(actor=world.client, target=task, upload=upload("logo.png", PNG))
    client.force_login(world.other_client)

    assert client.get(thread_url(task)).status_code == 404
    assert client.get(download_url(attachment)).status_code == 404
    assert client.get(preview_url(attachment)).status_code == 404
    assert client.post(files_url(task), {"files": [upload("x.pdf", PDF)]}).status_code == 404
    assert client.post(reverse("conversations:file-remove", args=[world.project.slug, attachment.pk])).status_code == 404
    caller = api.as_(world.other_client)
    assert caller.get(api_files(task)).status_code == 404
    assert caller.get(api_file(attachment)).status_code == 404
    assert caller.get(api_file(attachment, "task-file-download")).status_code == 404
    assert caller.delete(api_file(attachment)).status_code == 404
    assert caller.post(api_files(task), {"files": [upload("x.pdf", PDF)]}, format="multipart").status_code == 404
    # this project's file under the other project's slug: 404 too
    foreign = reverse("conversations:file-download", args=[world.other_project.slug, attachment.pk])
    client.force_login(world.manager)
    assert client.get(foreign).status_code == 404
    assert Attachment.objects.present().count() == 1


def test_files_of_internal_items_and_internal_comments_are_invisible_to_clients(client, api, world, task, internal_task, media):
    on_internal_task = attach_file(actor=world.team, target=internal_task, upload=upload("costs.pdf", PDF))
    thread = thread_access(user=world.team, slug=world.project.slug, kind="tasks", pk=task.pk)
    note = comment_post(actor=world.team, thread=thread, body="Between us", internal=True)
    on_internal_comment = attach_file(actor=world.team, target=task, upload=upload("margin.pdf", PDF), comment=note)
    public = attach_file(actor=world.team, target=task, upload=upload("public.pdf", PDF))

    client.force_login(world.client)
    for hidden in (on_internal_task, on_internal_comment):
        assert client.get(download_url(hidden)).status_code == 404
        assert api.as_(world.client).get(api_file(hidden)).status_code == 404
        assert api.as_(world.client).get(api_file(hidden, "task-file-download")).status_code == 404
    page = client.get(thread_url(task)).content.decode()
    assert "public.pdf" in page and "margin.pdf" not in page
    assert [row["name"] for row in api.as_(world.client).get(api_files(task)).json()["results"]] == ["public.pdf"]
    assert client.get(download_url(public)).status_code == 200

    client.force_login(world.team)
    assert client.get(download_url(on_internal_comment)).status_code == 200
    assert client.get(download_url(on_internal_task)).status_code == 200
    names = [row["name"] for row in api.as_(world.team).get(api_files(task)).json()["results"]]
    assert names == ["margin.pdf", "public.pdf"]


def test_a_removed_file_disappears_its_bytes_go_and_the_record_stays(client, world, task, media, django_capture_on_commit_callbacks):
    attachment = attach_file(actor=world.client, target=task, upload=upload("brief.pdf", PDF))
    stored = attachment.file.name
    client.force_login(world.team)  # neither its uploader nor the manager
    assert client.post(reverse("conversations:file-remove", args=[world.project.slug, attachment.pk])).status_code == 403

    client.force_login(world.client)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("conversations:file-remove", args=[world.project.slug, attachment.pk]))

    assert response.status_code == 302
    attachment.refresh_from_db()
    assert attachment.removed_by == world.client and attachment.removed_at is not None
    assert not default_storage.exists(stored)
    assert client.get(download_url(attachment)).status_code == 404
    assert "brief.pdf" not in client.get(thread_url(task)).content.decode()
    assert AuditEvent.objects.filter(action="attachment.remove", actor=world.client).count() == 1


def test_the_api_lists_uploads_and_deletes_with_a_download_address(api, world, task, media, django_capture_on_commit_callbacks):
    caller = api.as_(world.client)

    created = caller.post(api_files(task), {"files": [upload("a.pdf", PDF), upload("b.png", PNG)]}, format="multipart")

    assert created.status_code == 201, created.content
    rows = created.json()["files"]
    assert [r["name"] for r in rows] == ["a.pdf", "b.png"]
    assert rows[1]["is_image"] is True and rows[1]["preview_url"].startswith("http://testserver/")
    download = caller.get(rows[0]["download_url"])
    assert download.status_code == 200 and body_of(download) == PDF
    assert download["Content-Disposition"] == 'attachment; filename="a.pdf"'
    listed = caller.get(api_files(task)).json()
    assert listed["count"] == 2

    attachment = Attachment.objects.get(name="a.pdf")
    assert api.as_(world.team).delete(api_file(attachment)).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        assert api.as_(world.manager).delete(api_file(attachment)).status_code == 204
    assert caller.get(api_files(task)).json()["count"] == 1
    assert caller.get(rows[0]["download_url"]).status_code == 404
    assert not default_storage.exists(attachment.file.name)


def test_the_api_attaches_to_a_comment_of_the_thread_only(api, world, task, media):
    caller = api.as_(world.client)
    comment = caller.post(reverse("api:task-comment-list", args=[world.project.slug, task.pk]), {"body": "See"}, format="json").json()
    made = caller.post(api_files(task), {"files": [upload("a.pdf", PDF)], "comment": comment["id"]}, format="multipart")
    assert made.status_code == 201 and made.json()["files"][0]["comment_id"] == comment["id"]
    wrong = caller.post(api_files(task), {"files": [upload("a.pdf", PDF)], "comment": 999999}, format="multipart")
    assert wrong.status_code == 400 and "comment" in wrong.json()["fields"]
    empty = caller.post(api_files(task), {}, format="multipart")
    assert empty.status_code == 400 and "files" in empty.json()["fields"]


def test_files_appear_in_the_activity_feed_in_both_languages(client, world, task, media, django_capture_on_commit_callbacks):
    client.force_login(world.manager)
    client.post(files_url(task), {"files": [upload("brief.pdf", PDF)]})
    attachment = Attachment.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("conversations:file-remove", args=[world.project.slug, attachment.pk]))
    page = client.get(reverse("projects:activity", args=[world.project.slug]) + "?kind=files").content.decode()
    assert "attached the file <strong>brief.pdf</strong> to" in page
    assert "removed the file <strong>brief.pdf</strong> from" in page
    world.manager.language = "ru"
    world.manager.save()
    page = client.get(reverse("projects:activity", args=[world.project.slug]), headers={"Accept-Language": "ru"}).content.decode()
    assert "прикрепил(а) файл" in page and "удалил(а) файл" in page


def test_thread_page_queries_do_not_grow_with_the_files(client, world, task, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                          "OPTIONS": {"location": str(tmp_path)}}}
    client.force_login(world.client)

    def add(n):
        for i in range(n):
            attach_file(actor=[world.client, world.manager][i % 2], target=task, upload=upload(f"f{i}.png", PNG))

    add(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(thread_url(task)).status_code == 200
    add(10)
    with CaptureQueriesContext(connection) as many:
        response = client.get(thread_url(task))
    assert response.content.decode().count('class="file-item') == 12
    assert len(many.captured_queries) == len(few.captured_queries)
