from django.urls import path

from kieumau.workitems import views

app_name = "workitems"

urlpatterns = [
    path("", views.board, name="board"),
    path("new/", views.item_create, name="create"),
    path("suggest/", views.suggest, name="suggest"),
    path("agencies/", views.agencies, name="agencies"),
    path("<int:pk>/", views.item_detail, name="item"),
    path("<int:pk>/edit/", views.item_edit, name="edit"),
]
