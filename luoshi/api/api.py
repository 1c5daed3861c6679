"""The JSON API (django-ninja): the same services and scope rules as the pages."""

from ninja import NinjaAPI

api = NinjaAPI(title="luoshi API", version="1", urls_namespace="api", openapi_url="/openapi.json")
