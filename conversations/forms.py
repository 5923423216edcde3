"""The comment form: it parses input; `comment_post` / `comment_edit` decide."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from conversations.uploads import allowed_extensions
from projects.forms import StyledForm


class CommentForm(StyledForm):
    body = forms.CharField(
        label=_("Comment"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3, "data-mentions": "", "data-mentions-label": _("People on the project"), "autocomplete": "off"}),
        help_text=_("**bold**, *italic*, `code`, lists and links; type @ to mention someone on the project."),
        error_messages={"required": _("Write something first.")},
    )
    internal = forms.BooleanField(
        label=_("Internal: only the team sees it"), required=False,
    )

    def __init__(self, *args, can_post_internal: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_post_internal:
            del self.fields["internal"]
        self.fields["files"] = files_field(required=False, label=_("Files (optional)"))
        self.fields["files"].widget.attrs["class"] = "form-control"


class CommentEditForm(StyledForm):
    body = forms.CharField(
        label=_("Comment"), max_length=10000, widget=forms.Textarea(attrs={"rows": 3, "data-mentions": ""}),
        error_messages={"required": _("Write something first.")},
    )


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern): cleans to a list, empty when none were chosen."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


def _files_help() -> str:
    limit = filesizeformat(settings.ATTACHMENT_MAX_BYTES)
    return gettext("Up to %(limit)s each: PDF, images, text and office documents. Drop files here or choose them.") % {"limit": limit}


def files_field(*, required: bool, label) -> MultipleFileField:
    return MultipleFileField(
        label=label, required=required, help_text=_files_help(),
        error_messages={"required": _("Choose at least one file.")},
        widget=MultipleFileInput(attrs={
            "accept": ",".join(allowed_extensions()), "data-max-bytes": settings.ATTACHMENT_MAX_BYTES,
            "data-too-big": _("is larger than the limit"),
        }),
    )


class AttachForm(StyledForm):
    """The "Attach files" form of a thread (its own ids: the comment form on the same page has a `files` field too)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "attach_%s")
        super().__init__(*args, **kwargs)
        self.fields["files"] = files_field(required=True, label=_("Attach files"))
        self.fields["files"].widget.attrs["class"] = "form-control"
