"""Pages of the annual assessment: case lists, the case page, the register, the national view."""

from django.http import Http404

from kieumau.accounts.permissions import VIEW_ASSESSMENTS
from kieumau.core.web import require_perm


@require_perm(VIEW_ASSESSMENTS)
def case_list(request):
    raise Http404  # TODO(session 2): case lists (being built)


@require_perm(VIEW_ASSESSMENTS)
def case_detail(request, pk: int):
    raise Http404  # TODO(session 2): the case page (being built)
