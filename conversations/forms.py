"""The comment form: it parses input; `comment_post` / `comment_edit` decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

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


class CommentEditForm(StyledForm):
    body = forms.CharField(
        label=_("Comment"), max_length=10000, widget=forms.Textarea(attrs={"rows": 3, "data-mentions": ""}),
        error_messages={"required": _("Write something first.")},
    )
