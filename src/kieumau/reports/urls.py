from django.urls import path

from kieumau.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("schedules/", views.schedules, name="schedules"),
    path("<int:report_id>/", views.detail, name="detail"),
    path("<int:report_id>/regenerate/", views.regenerate, name="regenerate"),
    path("<int:report_id>/<str:fmt>/", views.download, name="download"),
]
