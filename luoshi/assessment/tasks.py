"""Background work of the assessment. Thin: each job takes ids and calls a service."""

from django.tasks import task

from . import services


@task
def compute_scores(run_id: int) -> None:
    """Compute a score run (the run page shows its progress): enqueued by `start_run` on
    commit."""
    services.compute_run(run_id=run_id)
