"""Authentication by the normalised user name (districts.identity); permissions from the
role alone."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from .access import ADMIN_PERMISSIONS, role_allows, role_of
from .identity import normalize_username


class RoleBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        # The account is found by its normalised name, the key django-axes locks, so the
        # spelling that signs a person in is the one whose failures count. An account without
        # a profile has no role, no key and nothing to do here.
        key = normalize_username(username)
        user = (
            get_user_model()._default_manager.filter(profile__username_key=key).first()
            if key and "\x00" not in key
            else None
        )
        if user is None:
            # Same cost as a wrong password, so a name's existence cannot be timed.
            get_user_model()().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def user_can_authenticate(self, user):
        # A Django superuser holds every right at once, which 三权分立 forbids: such an
        # account (e.g. from createsuperuser) cannot sign in. Use create_account instead.
        return super().user_can_authenticate(user) and not user.is_superuser

    def has_perm(self, user_obj, perm, obj=None):
        return user_obj.is_active and role_allows(role_of(user_obj), perm)

    def has_module_perms(self, user_obj, app_label):
        role = role_of(user_obj)
        return user_obj.is_active and any(
            key.startswith(f"{app_label}.") for key in ADMIN_PERMISSIONS.get(role, {})
        )

    def get_all_permissions(self, user_obj, obj=None):
        role = role_of(user_obj)
        if not user_obj.is_active:
            return set()
        return {
            f"{key.split('.')[0]}.{action}_{key.split('.')[1]}"
            for key, actions in ADMIN_PERMISSIONS.get(role, {}).items()
            for action in actions
        }

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()
