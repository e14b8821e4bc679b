"""Routes of the evidence files, included under /assessments/evidence/."""

from django.urls import path

from kieumau.assessments import evidence_views

app_name = "evidence"

urlpatterns = [
    path("", evidence_views.evidence_list, name="list"),
    path("<int:pk>/", evidence_views.evidence_file, name="file"),
]
