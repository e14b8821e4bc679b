from django.urls import path

from kieumau.criteria import views

app_name = "criteria"

urlpatterns = [
    path("", views.set_list, name="sets"),
    path("<str:set_code>/v<int:number>/", views.version_detail, name="version"),
    path("<str:set_code>/v<int:number>/validate/", views.rule_validate, name="validate"),
    path("<str:set_code>/v<int:number>/<str:action>/", views.version_action, name="action"),
    path("<str:set_code>/v<int:number>/rules/<str:code>/", views.rule_editor, name="rule"),
]
