"""Pages of conversations: a thread (whole page, or the part htmx puts on its object's page), editing and removing a
comment, following a thread, and the inbox."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from conversations import selectors, services
from conversations.downloads import file_response
from conversations.emails import line_path, thread_url
from conversations.forms import AttachForm, CommentEditForm, CommentForm
from conversations.permissions import (
    Thread,
    attachment_access,
    can_edit,
    can_remove,
    can_remove_attachment,
    comment_access,
    thread_access,
)
from projects.views.common import invalid_status, render_tab, run_service

TABS = {"tasks": "tasks", "decisions": "decisions", "meetings": "meetings", "risks": "risks"}
# The page of each kind of object (a risk's own page is its edit form, for those who may edit it: the list instead).
OBJECT_PAGES = {
    "tasks": ("projects:task", True), "decisions": ("engagement:decision", True),
    "meetings": ("engagement:meeting", True), "risks": ("projects:risks", False),
}


def _object_url(thread: Thread) -> str:
    name, with_pk = OBJECT_PAGES[thread.kind]
    args = [thread.access.project.slug, thread.target.pk] if with_pk else [thread.access.project.slug]
    return reverse(name, args=args)


def _thread_context(request, thread: Thread, form=None, posted: bool = False, attach_form=None, saved: int | None = None) -> dict:
    comments = list(selectors.thread_comments(thread))
    files = list(selectors.thread_files(thread))
    for attachment in files:
        attachment.can_remove = can_remove_attachment(attachment, thread.access)
    for comment in comments:
        comment.can_edit = can_edit(comment, request.user)
        comment.can_remove = can_remove(comment, thread.access)
        comment.files = [a for a in files if a.comment_id == comment.pk]
    return {
        "thread": thread,
        "target": thread.target,
        "kind": thread.kind,
        "comments": comments,
        "files": files,
        "attach_form": attach_form or AttachForm(),
        "attach_url": reverse(f"conversations:{thread.field}-files", args=[thread.access.project.slug, thread.target.pk]),
        "form": form or CommentForm(can_post_internal=thread.can_post_internal),
        "following": selectors.is_following(thread, request.user),
        "thread_url": thread_url(thread.access.project.slug, thread.field, thread.target.pk),
        "follow_url": reverse(f"conversations:{thread.field}-follow", args=[thread.access.project.slug, thread.target.pk]),
        "object_url": _object_url(thread),
        "posted": posted,
        "saved": saved,
    }


def _render_thread(
    request, thread: Thread, form=None, status: int = 200, posted: bool = False, attach_form=None, files_attached=False,
    saved: int | None = None,
):
    context = {**_thread_context(request, thread, form, posted, attach_form, saved), "files_attached": files_attached}
    if request.htmx:
        return render(request, "conversations/_thread.html", {**context, "project": thread.access.project}, status=status)
    return render_tab(request, thread.access, TABS[thread.kind], "conversations/thread.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def thread_view(request, slug, pk, kind):
    thread = thread_access(user=request.user, slug=slug, kind=kind, pk=pk)
    if request.method == "GET":
        services.notifications_read(actor=request.user, thread=thread)  # seeing the thread reads its inbox lines
        return _render_thread(request, thread)
    form = CommentForm(request.POST, request.FILES, can_post_internal=thread.can_post_internal)
    if "internal" in request.POST and not thread.can_post_internal:
        raise PermissionDenied(_("Only the team can mark items internal."))
    if form.is_valid():
        comment = run_service(
            request, form, lambda: services.comment_post_with_files(
                actor=request.user, thread=thread, body=form.cleaned_data["body"],
                internal=form.cleaned_data.get("internal", False), uploads=form.cleaned_data["files"],
            )
        )
        if comment is not None:
            if request.htmx:
                return _render_thread(request, thread, posted=True)
            return redirect(thread_url(slug, thread.field, thread.target.pk, comment.pk))
    return _render_thread(request, thread, form, status=invalid_status(request))


@login_required
@require_http_methods(["GET", "POST"])
def comment_edit_view(request, slug, pk):
    comment, thread = comment_access(user=request.user, slug=slug, comment_id=pk)
    if not can_edit(comment, request.user):
        raise PermissionDenied(_("Only its author can edit a comment, and only in the first minutes."))
    form = CommentEditForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            request, form, lambda: services.comment_edit(actor=request.user, comment=comment, thread=thread, body=form.cleaned_data["body"])
        )
        if saved is not None:
            if request.htmx:
                return retarget(reswap(_render_thread(request, thread, saved=comment.pk), "outerHTML"), "#comments")
            return redirect(thread_url(slug, thread.field, thread.target.pk, comment.pk))
    context = {"comment": comment, "form": form, "thread": thread, "target": thread.target,
               "thread_url": thread_url(slug, thread.field, thread.target.pk)}
    status = invalid_status(request) if form.errors else 200
    if request.htmx:  # edited in place: the comment becomes its form (the whole page stays the fallback)
        return render(request, "conversations/_comment_edit.html", {**context, "project": thread.access.project}, status=status)
    return render_tab(request, thread.access, TABS[thread.kind], "conversations/comment_edit.html", context, status=status)


@login_required
@require_POST
def comment_remove_view(request, slug, pk):
    comment, thread = comment_access(user=request.user, slug=slug, comment_id=pk)
    services.comment_remove(actor=request.user, comment=comment, thread=thread)
    if request.htmx:
        return _render_thread(request, thread)
    messages.success(request, _("The comment was removed."))
    return redirect(thread_url(slug, thread.field, thread.target.pk, comment.pk))


@login_required
@require_POST
def follow_view(request, slug, pk, kind):
    thread = thread_access(user=request.user, slug=slug, kind=kind, pk=pk)
    services.follow_set(actor=request.user, thread=thread, following=request.POST.get("following") == "1")
    if request.htmx:
        return _render_thread(request, thread)
    return redirect(thread_url(slug, thread.field, thread.target.pk))


@login_required
def inbox(request):
    page = selectors.inbox_page(request.user, page=request.GET.get("page", 1), unread_only=request.GET.get("show") == "unread")
    context = {
        "inbox": page,
        "unread_only": request.GET.get("show") == "unread",
        "awaiting": selectors.awaiting_me(request.user),
    }
    return render(request, "conversations/inbox.html", context)


@login_required
def inbox_open(request, pk):
    notification = services.notification_open(actor=request.user, notification_id=pk)
    return redirect(line_path(notification))


@login_required
@require_POST
def inbox_read_all(request):
    count = services.notifications_read(actor=request.user)
    if count:
        messages.success(request, _("Everything in your inbox is marked read."))
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(back)
    return redirect("conversations:inbox")


@login_required
@require_POST
def files_view(request, slug, pk, kind):
    """The "Attach files" form: several files at once, all or none."""
    thread = thread_access(user=request.user, slug=slug, kind=kind, pk=pk)
    form = AttachForm(request.POST, request.FILES)
    if form.is_valid():
        made = run_service(
            request, form, lambda: services.attachments_add(actor=request.user, thread=thread, uploads=form.cleaned_data["files"])
        )
        if made is not None:
            if request.htmx:
                return _render_thread(request, thread, files_attached=True)
            messages.success(request, _("The files were attached."))
            return redirect(thread_url(slug, thread.field, thread.target.pk) + "#files")
    return _render_thread(request, thread, attach_form=form, status=invalid_status(request))


@login_required
@require_GET
def file_download(request, slug, pk):
    attachment, _thread = attachment_access(user=request.user, slug=slug, attachment_id=pk)
    return file_response(attachment)


@login_required
@require_GET
def file_preview(request, slug, pk):
    """An image shown in the page (the thumbnail of the files list); anything else is only downloaded."""
    attachment, _thread = attachment_access(user=request.user, slug=slug, attachment_id=pk)
    if not attachment.is_image:
        raise Http404
    return file_response(attachment, inline=True)


@login_required
@require_POST
def file_remove_view(request, slug, pk):
    attachment, thread = attachment_access(user=request.user, slug=slug, attachment_id=pk)
    services.attachment_remove(actor=request.user, attachment=attachment, thread=thread)
    if request.htmx:
        return _render_thread(request, thread)
    messages.success(request, _("The file was removed."))
    return redirect(thread_url(slug, thread.field, thread.target.pk) + "#files")
