from django.urls import path

from kieumau.orgunits import views

app_name = "orgunits"

urlpatterns = [
    path("", views.tree, name="tree"),
    path("reorganise/", views.reorganise, name="reorganise"),
    path("<str:code>/", views.unit_detail, name="detail"),
    path("<str:code>/children/", views.tree_children, name="children"),
    path("<str:code>/edit/", views.unit_edit, name="edit"),
]
