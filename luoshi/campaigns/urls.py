"""The campaigns namespace: task and set-up pages (urls_tasks) and dashboards and lists
(urls_dashboards)."""

from .urls_dashboards import urlpatterns as dashboard_patterns
from .urls_tasks import urlpatterns as task_patterns

app_name = "campaigns"
urlpatterns = [*dashboard_patterns, *task_patterns]
