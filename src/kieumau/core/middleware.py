"""Per-request plumbing: a request id on every request and response."""

import re

from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils import translation

from kieumau.core.request_context import new_request_id, reset_request_id, set_request_id

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """Give every request an id (trusting a well-formed X-Request-ID) and echo it back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else new_request_id()
        request.request_id = request_id
        token = set_request_id(request_id)
        try:
            response = self.get_response(request)
        finally:
            reset_request_id(token)
        response["X-Request-ID"] = request_id
        return response


class LanguageMiddleware:
    """Vietnamese unless the user chose otherwise with the language switch (its cookie).

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language: officers'
    machines are often set to English, and the programme's working language is Vietnamese.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


_NUL_MESSAGE = "yêu cầu chứa ký tự NUL (\\0), không hợp lệ"


class RefuseNulMiddleware:
    """Answer 400 to a request carrying a NUL character in its path, query or text body.

    No text a person types contains NUL, and PostgreSQL cannot store or even compare it in a
    text column: letting one through turns a harmless typo or probe into a database error (500)
    in whichever query meets it first. One refusal here protects every page and API route.
    Uploaded files (multipart) are binary and are judged by their own checks.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._carries_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": _NUL_MESSAGE, "errors": [{"message": _NUL_MESSAGE}]}, status=400
                )
            return HttpResponseBadRequest(_NUL_MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    def _carries_nul(self, request) -> bool:
        if "\x00" in request.path:
            return True
        query = request.META.get("QUERY_STRING", "")
        if "%00" in query or "\x00" in query:
            return True
        if request.method not in {"POST", "PUT", "PATCH", "DELETE"}:
            return False
        if request.content_type == "application/json":
            return b"\x00" in request.body or b"\\u0000" in request.body
        if request.content_type in {"application/x-www-form-urlencoded", "multipart/form-data"}:
            # The form's text fields (decoded); uploaded files are left to their own checks.
            return any("\x00" in value for values in request.POST.lists() for value in values[1])
        return False
