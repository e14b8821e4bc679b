"""`kieumau openapi`: print the API's OpenAPI document (the same as /api/v1/openapi.json)."""

import json

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Print the OpenAPI document of /api/v1/."

    def handle(self, *args, **options):
        from kieumau.api.main import api

        schema = api.get_openapi_schema(path_prefix="/api/v1/")
        self.stdout.write(json.dumps(schema, ensure_ascii=False, indent=2))
