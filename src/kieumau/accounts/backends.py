"""Authentication backend: Django's model backend, refusing while a username is throttled."""

from django.contrib.auth.backends import ModelBackend

from kieumau.accounts.throttle import client_ip, is_locked


class ThrottledModelBackend(ModelBackend):
    """Refuse to even check the password of a throttled username or address."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is not None and username and is_locked(username, client_ip(request)):
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
