"""API authentication: a bearer token (`Authorization: Bearer km_...`) or the browser session."""

from ninja.security import HttpBearer, SessionAuth

from kieumau.accounts.services import user_for_token


class TokenAuth(HttpBearer):
    """Token issued in the UI or by `kieumau token create USERNAME`."""

    def authenticate(self, request, token):
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class SessionUserAuth(SessionAuth):
    """The signed-in browser session (CSRF is enforced on unsafe methods by ninja)."""

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None
