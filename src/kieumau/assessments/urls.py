from django.urls import path

from kieumau.assessments import views

app_name = "assessments"

urlpatterns = [
    path("", views.case_list, name="index"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/dossier/", views.dossier, name="dossier"),
    path("cases/<int:pk>/criteria/<str:code>/", views.self_assess, name="self_assess"),
    path("cases/<int:pk>/criteria/<str:code>/decision/", views.decide, name="decide"),
    path("cases/<int:pk>/agree-remaining/", views.agree_remaining_view, name="agree_remaining"),
    path("cases/<int:pk>/transition/", views.act, name="transition"),
    path("cases/<int:pk>/comment/", views.comment, name="comment"),
    path("recognised/", views.recognised, name="recognised"),
    path("national/", views.national, name="national"),
]
