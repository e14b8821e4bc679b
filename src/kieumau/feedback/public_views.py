"""Public pages of a unit for citizens, without an account, under /p/.

The short address /p/<code>/ (printed as a QR code on the unit's poster) leads to the
satisfaction survey and the feedback form; after sending feedback the citizen gets a tracking
code to look up the status and the unit's public answer. Abuse resistance happens here, before
any service runs: a honeypot field that people never see, per-client and per-unit rate limits
in the shared cache (429), and the services' own size limits and duplicate checks. Nothing
personal is ever shown on these pages.
"""

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from kieumau.accounts.throttle import client_ip
from kieumau.core.errors import Conflict, DomainError, NotFound
from kieumau.feedback import codes, throttle
from kieumau.feedback.choices import Kind
from kieumau.feedback.selectors import public_channel, public_status
from kieumau.feedback.services import (
    MAX_COMMENT,
    MAX_FEEDBACK_TEXT,
    submit_feedback,
    submit_survey,
)

HONEYPOT = "website"
SESSION_KEY = "feedback_sent"


def _page(code: str):
    try:
        return public_channel(code)
    except NotFound as exc:
        raise Http404(exc.summary()) from exc


def _client(request) -> str:
    return codes.client_hash(client_ip(request))


def _field_errors(exc: DomainError) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for problem in exc.problems:
        out.setdefault(problem.field or "form", []).append(problem.message)
    return out


def _limited(request, action: str, unit_id: int) -> bool:
    """Whether this client (or everyone, for this unit) has sent too much recently."""
    client_ok = throttle.allow(action, _client(request))
    unit_ok = throttle.allow(f"unit-{action}", str(unit_id))
    return not (client_ok and unit_ok)


@require_safe
def landing(request, code: str):
    """The unit's public page: what citizens can do here, and the privacy notice."""
    return render(request, "feedback/public/landing.html", {"page": _page(code)})


@require_http_methods(["GET", "HEAD", "POST"])
def survey(request, code: str):
    """The satisfaction survey: one 1–5 answer per question and an optional comment."""
    page = _page(code)
    errors: dict[str, list[str]] = {}
    typed: dict = {}
    status = 200
    if request.method == "POST":
        typed = request.POST
        if request.POST.get(HONEYPOT):
            errors, status = {"form": [_("Your answers could not be sent.")]}, 400
        elif _limited(request, "survey", page.channel.unit_id):
            errors = {
                "form": [_("Too many submissions from your connection. Please try again later.")]
            }
            status = 429
        else:
            scores = {q.pk: request.POST.get(f"q{q.pk}", "") for q in page.questions}
            try:
                submit_survey(
                    actor=request.user,
                    channel_code=code,
                    scores=scores,
                    comment=request.POST.get("comment", ""),
                    client=_client(request),
                )
            except DomainError as exc:
                errors = _field_errors(exc)
                status = 409 if isinstance(exc, Conflict) else 400
            else:
                return redirect(reverse("public:thanks", args=[page.channel.code]) + "?done=survey")
    return render(
        request,
        "feedback/public/survey.html",
        {
            "page": page,
            "errors": errors,
            "typed": typed,
            "rows": [(q, f"q{q.pk}", str(typed.get(f"q{q.pk}", ""))) for q in page.questions],
            "scale": ["1", "2", "3", "4", "5"],
            "max_comment": MAX_COMMENT,
            "honeypot": HONEYPOT,
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def feedback(request, code: str):
    """The feedback form: kind, text, optional contact details; answers with a tracking code."""
    page = _page(code)
    errors: dict[str, list[str]] = {}
    typed: dict = {}
    status = 200
    if request.method == "POST":
        typed = request.POST
        if request.POST.get(HONEYPOT):
            errors, status = {"form": [_("Your feedback could not be sent.")]}, 400
        elif _limited(request, "feedback", page.channel.unit_id):
            errors = {
                "form": [_("Too many submissions from your connection. Please try again later.")]
            }
            status = 429
        else:
            anonymous = request.POST.get("anonymous") == "1"
            try:
                item = submit_feedback(
                    actor=request.user,
                    channel_code=code,
                    kind=request.POST.get("kind", ""),
                    text=request.POST.get("text", ""),
                    name="" if anonymous else request.POST.get("name", ""),
                    phone="" if anonymous else request.POST.get("phone", ""),
                    email="" if anonymous else request.POST.get("email", ""),
                    client=_client(request),
                )
            except DomainError as exc:
                errors = _field_errors(exc)
                status = 409 if isinstance(exc, Conflict) else 400
            else:
                request.session[SESSION_KEY] = {
                    "channel": page.channel.code,
                    "tracking": item.tracking_code,
                }
                return redirect(
                    reverse("public:thanks", args=[page.channel.code]) + "?done=feedback"
                )
    return render(
        request,
        "feedback/public/feedback.html",
        {
            "page": page,
            "errors": errors,
            "typed": typed,
            "kinds": Kind.choices,
            "max_text": MAX_FEEDBACK_TEXT,
            "honeypot": HONEYPOT,
        },
        status=status,
    )


@require_safe
def thanks(request, code: str):
    """Thanks after sending; after feedback, the tracking code to note down."""
    page = _page(code)
    sent = request.session.get(SESSION_KEY) or {}
    tracking = sent.get("tracking") if sent.get("channel") == page.channel.code else None
    done = request.GET.get("done")
    return render(
        request,
        "feedback/public/thanks.html",
        {"page": page, "tracking": tracking if done == "feedback" else None, "done": done},
    )


@require_safe
def track(request):
    """Look up an item by tracking code: status, deadline and the unit's public answer only."""
    typed = (request.GET.get("code") or "").strip()[:40]
    result, status, limited = None, 200, False
    if typed:
        if not throttle.allow("lookup", _client(request)):
            limited, status = True, 429
        else:
            result = public_status(typed)
    return render(
        request,
        "feedback/public/track.html",
        {"typed": typed, "result": result, "limited": limited},
        status=status,
    )


@require_safe
def privacy(request):
    """The privacy notice of the public pages."""
    return render(request, "feedback/public/privacy.html")
