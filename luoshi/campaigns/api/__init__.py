"""The campaigns' JSON API (django-ninja): tasks and their moves, supervision notices, campaigns
and the workbench, through the same access helpers, selectors and services as the pages.
`router` is what the kit's registry (luoshi.api.api) mounts; its parts keep their prefixes."""

from ninja import Router

from . import campaigns, notices, tasks, workbench

router = Router()
router.add_router("/campaigns", campaigns.router)
router.add_router("/tasks", tasks.router)
router.add_router("/notices", notices.router)
router.add_router("/workbench", workbench.router)
