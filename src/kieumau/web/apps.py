from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "kieumau.web"
    label = "web"
