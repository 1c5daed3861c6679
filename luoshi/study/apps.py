from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudyConfig(AppConfig):
    """Study: study groups, the designated reading list, reading records and reflection essays."""

    name = "luoshi.study"
    label = "study"
    verbose_name = _("学习")

    def ready(self) -> None:
        from luoshi.ledgers.hooks import ParticipantSource, register_source

        from .forms import group_picker
        from .selectors import groups_members

        # The ledger's record form adds a whole study group's members at once (整组添加).
        register_source(
            ParticipantSource(name="study_groups", form_field=group_picker, people=groups_members)
        )
