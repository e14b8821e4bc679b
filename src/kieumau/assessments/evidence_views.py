"""Pages of the evidence files: a unit's list with its upload form, and each file's preview.

Thin views: reads go through `visible_to` (404 out of scope), the upload through
`store_evidence`, the file through `open_evidence` (which verifies the SHA-256 first). A file is
served with headers that stop a browser from treating it as anything but what it was
identified as: its detected Content-Type, nosniff, and a sandboxing Content-Security-Policy.
"""

import re
import unicodedata
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from kieumau.accounts.permissions import SELF_ASSESS, VIEW_ASSESSMENTS
from kieumau.accounts.scope import can_act_on_unit
from kieumau.assessments.evidence import (
    EvidenceDamaged,
    evidence_kind,
    max_bytes,
    open_evidence,
    store_evidence,
)
from kieumau.assessments.models import EvidenceFile
from kieumau.core.errors import ValidationFailed
from kieumau.core.web import require_perm
from kieumau.orgunits.models import OrgUnit

KIND_LABELS = {
    "pdf": "PDF",
    "png": "PNG",
    "jpeg": "JPEG",
    "gif": "GIF",
    "webp": "WebP",
    "docx": "Word",
    "xlsx": "Excel",
}
FILE_CSP = "sandbox; default-src 'none'"
ACCEPT = ".pdf,.png,.jpg,.jpeg,.gif,.webp,.docx,.xlsx"
_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9._()+-]+")


def ascii_filename(name: str) -> str:
    """A plain-ASCII stand-in for a file name, for clients that ignore `filename*`.

    Protects the header: Vietnamese letters lose their marks ("Báo cáo đợt 1.pdf" becomes
    "Bao_cao_dot_1.pdf"), and anything outside letters, digits and ._()+- (quotes, semicolons,
    backslashes, control characters) becomes "_", so the quoted value cannot break out.
    """
    text = name.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _UNSAFE_ASCII.sub("_", text).strip("._") or "minh-chung"
    return text[-150:]


def content_disposition(disposition: str, filename: str) -> str:
    """`inline` or `attachment` with both an ASCII `filename` and an RFC 5987 `filename*`.

    Protects the download's name: every browser gets a safe name, modern ones the exact
    Vietnamese one, percent-encoded as UTF-8 (nothing of the user's name is sent raw).
    """
    return (
        f'{disposition}; filename="{ascii_filename(filename)}"; '
        f"filename*=UTF-8''{quote(filename, safe='')}"
    )


def _list_url(code: str) -> str:
    return f"{reverse('evidence:list')}?{urlencode({'unit': code})}"


@require_perm(VIEW_ASSESSMENTS)
@require_http_methods(["GET", "HEAD", "POST"])
def evidence_list(request):
    """A unit's evidence files (?unit=CODE), and the upload form for those who self-assess it.

    Protects scope: the unit must be visible under VIEW_ASSESSMENTS (404 otherwise, like a
    missing unit); an upload is authorised again by `store_evidence` (SELF_ASSESS on the unit).
    Refusals come back as a message on the list page (post/redirect/get).
    """
    code = request.GET.get("unit", "").strip()
    if not code:
        if request.method == "POST":
            raise Http404
        return render(request, "assessments/evidence_list.html", {"unit": None})
    unit = OrgUnit.objects.visible_to(request.user, VIEW_ASSESSMENTS).filter(code=code).first()
    if unit is None:
        raise Http404
    if request.method == "POST":
        try:
            evidence = store_evidence(
                actor=request.user,
                unit_code=code,
                upload=request.FILES.get("file"),
                title=request.POST.get("title", ""),
            )
        except ValidationFailed as exc:
            messages.error(request, exc.summary())
        else:
            if evidence.reused:
                messages.info(
                    request,
                    _("This file is already among the unit's evidence; the stored copy is used."),
                )
            else:
                messages.success(request, _("Evidence file saved."))
        return redirect(_list_url(code))
    files = list(EvidenceFile.objects.visible_to(request.user, VIEW_ASSESSMENTS).filter(unit=unit))
    for evidence in files:
        evidence.kind_label = KIND_LABELS.get(evidence.kind, evidence.kind)
        kind = evidence_kind(evidence)
        evidence.inline = bool(kind and kind.inline)
    return render(
        request,
        "assessments/evidence_list.html",
        {
            "unit": unit,
            "files": files,
            "can_upload": can_act_on_unit(request.user, SELF_ASSESS, unit.pk),
            "max_bytes": max_bytes(),
            "accept": ACCEPT,
        },
    )


@require_perm(VIEW_ASSESSMENTS)
@require_safe
def evidence_file(request, pk: int):
    """One evidence file: PDF and images shown in the browser, Word and Excel downloaded.

    Protects readers: out of scope is 404; bytes that no longer match their SHA-256 answer a
    409 with the reason instead of the content; the response carries the detected type,
    nosniff and `Content-Security-Policy: sandbox; default-src 'none'`, so even a crafted file
    cannot run script in the site's origin; it is never cached by shared caches.
    """
    try:
        evidence, handle = open_evidence(request.user, pk)
    except EvidenceDamaged as exc:
        response = HttpResponse(
            exc.summary(), status=exc.status_code, content_type="text/plain; charset=utf-8"
        )
        response["Cache-Control"] = "no-store"
        return response
    kind = evidence_kind(evidence)
    inline = bool(kind and kind.inline)
    response = FileResponse(
        handle, content_type=kind.content_type if kind else "application/octet-stream"
    )
    response["Content-Disposition"] = content_disposition(
        "inline" if inline else "attachment", evidence.filename
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response
