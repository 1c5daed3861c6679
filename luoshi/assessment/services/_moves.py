"""What every move of the assessment shares: the stage check, the plan's row lock, the refusal."""

from decimal import Decimal

from django.utils.translation import gettext as _

from luoshi.accounts.models import User
from luoshi.lib.errors import Conflict
from luoshi.org.access import require_perm

from ..access import MANAGE
from ..models import (
    Plan,
    Stage,
)

HUNDRED = Decimal(100)


class WrongStage(Conflict):
    """A move the plan's current stage does not allow."""

    code_name = "wrong_stage"


def _require_stage(plan: Plan, *stages: str) -> None:
    if plan.stage not in stages:
        names = "、".join(str(Stage(stage).label) for stage in stages)
        raise WrongStage(
            _("考核方案当前处于“%(now)s”阶段，此操作只能在“%(allowed)s”阶段进行。")
            % {"now": plan.get_stage_display(), "allowed": names}
        )


def _locked_plan(plan: Plan) -> Plan:
    return Plan.objects.select_for_update().select_related("campaign__office_unit").get(pk=plan.pk)


def _office_move(actor: User, plan: Plan, *stages: str) -> Plan:
    """The start of every office move on a plan: `assessment.manage` on the campaign's office
    unit, the plan's row locked, and its stage one of `stages`. Returns the locked plan."""
    require_perm(actor, MANAGE, plan.campaign.office_unit)
    plan = _locked_plan(plan)
    _require_stage(plan, *stages)
    return plan
