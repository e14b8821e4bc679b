from django.urls import path

from kieumau.evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("matrix/", views.matrix, name="matrix"),
    path("units/<str:code>/", views.scorecard, name="scorecard"),
    path("jobs/", views.start_job, name="start_job"),
    path("jobs/<int:job_id>/", views.job_detail, name="job"),
]
