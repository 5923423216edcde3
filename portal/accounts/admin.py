from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm as BaseAdminPasswordChangeForm
from django.contrib.auth.forms import UserChangeForm as BaseUserChangeForm
from django.contrib.auth.forms import UserCreationForm as BaseUserCreationForm
from django.utils.translation import gettext_lazy as _

from portal.accounts import services
from portal.accounts.models import Client, User


class UserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name", "kind", "organisation")


class UserChangeForm(BaseUserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class AdminPasswordChangeForm(BaseAdminPasswordChangeForm):
    """A password set by staff in the admin revokes the person's API tokens too, as a change or reset does."""

    def save(self, commit=True):
        user = super().save(commit=commit)
        services.api_tokens_revoke(user=user)
        return user


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserChangeForm
    change_password_form = AdminPasswordChangeForm
    add_form = UserCreationForm
    list_display = ("email", "full_name", "kind", "organisation", "time_zone", "language", "is_active", "is_staff", "last_login")
    list_filter = ("kind", "is_active", "is_staff", "is_superuser", "language", "organisation")
    search_fields = ("email", "full_name", "organisation__name")
    ordering = ("email",)
    list_select_related = ("organisation",)
    autocomplete_fields = ("organisation",)
    readonly_fields = ("last_login", "date_joined")
    filter_horizontal = ("groups", "user_permissions")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "kind", "organisation", "phone")}),
        (_("Preferences"), {"fields": (
            "time_zone", "language", "digest_weekday", "digest_hour", "email_reminders", "email_digest", "email_nudges",
            *User.NOTIFY_FIELDS,
        )}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "kind", "organisation", "password1", "password2")}),
    )


class ClientPeopleInline(admin.TabularInline):
    model = User
    fk_name = "organisation"
    fields = ("email", "full_name", "is_active")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ("name", "time_zone", "language", "created_at")
    list_filter = ("language",)
    search_fields = ("name",)
    inlines = [ClientPeopleInline]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "time_zone":
            kwargs["widget"] = forms.TextInput(attrs={"size": 30})
        return super().formfield_for_dbfield(db_field, request, **kwargs)
