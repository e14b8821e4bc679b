from django.urls import path

from kieumau.assessments import views

app_name = "assessments"

urlpatterns = [
    path("", views.case_list, name="index"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
]
