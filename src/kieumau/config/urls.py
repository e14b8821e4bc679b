from django.urls import include, path
from django.views.i18n import set_language

from kieumau.api.main import api
from kieumau.audit.views import audit_list
from kieumau.core.views import healthz
from kieumau.web.views import home

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include("kieumau.accounts.urls")),
    path("units/", include("kieumau.orgunits.urls")),
    path("audit/", audit_list, name="audit"),
    path("evaluation/", include("kieumau.evaluation.urls")),
    path("criteria/", include("kieumau.criteria.urls")),
    path("data/", include("kieumau.datavalues.urls")),
    path("notifications/", include("kieumau.notifications.urls")),
    path("assessments/evidence/", include("kieumau.assessments.evidence_urls")),
    path("assessments/", include("kieumau.assessments.urls")),
    path("plans/", include("kieumau.plans.urls")),
    path("tasks/", include("kieumau.workitems.urls")),
    path("feedback/", include("kieumau.feedback.urls")),
    path("p/", include("kieumau.feedback.public_urls")),
    path("reports/", include("kieumau.reports.urls")),
    path("dashboards/", include("kieumau.dashboards.urls")),
    path("api/v1/", api.urls),
]
