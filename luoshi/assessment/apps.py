from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    """考责: indicators, assessment plans, scores computed from the records, and the workflow
    自评 → 审核 → 公示 → 申诉 → 定档 → 发布."""

    name = "luoshi.assessment"
    label = "assessment"
    verbose_name = _("考核")

    def ready(self) -> None:
        from luoshi.files.access import register

        from . import sources  # noqa: F401 (registers the built-in indicator sources)
        from .access import can_view_item, can_view_unit_score
        from .models import Adjustment, Appeal, UnitScore

        # Evidence of manual scores, adjustments, self-assessments and appeals: whoever sees the
        # unit's assessment sees it.
        register(Adjustment, lambda user, row: can_view_item(user, row.item))
        register(Appeal, lambda user, row: can_view_unit_score(user, row.unit_score))
        register(UnitScore, can_view_unit_score)
