from django.urls import path

from kieumau.plans import views

app_name = "plans"

urlpatterns = [
    path("", views.plan_list, name="index"),
    path("national/", views.national, name="national"),
    path("new/", views.plan_create, name="create"),
    path("<int:pk>/", views.plan_detail, name="plan"),
    path("<int:pk>/edit/", views.plan_edit, name="edit"),
    path("<int:pk>/targets/", views.targets, name="targets"),
    path("<int:pk>/designations/", views.designations, name="designations"),
]
