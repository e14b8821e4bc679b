"""Public citizen pages (no login), under /p/."""

from django.urls import path

from kieumau.feedback import public_views

app_name = "public"

urlpatterns = [
    path("track/", public_views.track, name="track"),
    path("privacy/", public_views.privacy, name="privacy"),
    path("<str:code>/", public_views.landing, name="landing"),
    path("<str:code>/survey/", public_views.survey, name="survey"),
    path("<str:code>/feedback/", public_views.feedback, name="feedback"),
    path("<str:code>/thanks/", public_views.thanks, name="thanks"),
]
