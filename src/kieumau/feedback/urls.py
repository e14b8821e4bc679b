from django.urls import path

from kieumau.feedback import views

app_name = "feedback"

urlpatterns = [
    path("", views.item_list, name="list"),
    path("items/<int:pk>/", views.item_page, name="item"),
    path("stats/", views.stats, name="stats"),
    path("stats/compute/", views.compute, name="compute"),
    path("units/<str:code>/survey/", views.unit_survey, name="unit_survey"),
    path("units/<str:code>/poster/", views.poster, name="poster"),
    path("settings/<str:code>/", views.province_settings, name="settings"),
    path("forums/", views.forum_list, name="forums"),
    path("forums/<int:pk>/", views.forum_page, name="forum"),
]
