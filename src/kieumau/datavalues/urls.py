from django.urls import path

from kieumau.datavalues import views

app_name = "datavalues"

urlpatterns = [
    path("", views.index, name="index"),
    path("entry/<str:unit>/<str:form>/<str:period>/", views.entry, name="entry"),
    path("entry/<str:unit>/<str:form>/<str:period>/check/", views.check, name="check"),
    path("entry/<str:unit>/<str:form>/<str:period>/review/", views.review, name="review"),
    path(
        "values/<str:unit>/<str:period>/<str:indicator>/",
        views.value_history,
        name="history",
    ),
    path("status/", views.status, name="status"),
    path("template/", views.template, name="template"),
    path("import/", views.upload, name="upload"),
    path("import/<int:job_id>/", views.import_job, name="import_job"),
    path("import/<int:job_id>/errors.xlsx", views.import_errors, name="import_errors"),
]
