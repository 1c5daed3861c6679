"""Who reaches briefings and their templates: 404 outside scope.

A briefing is written for a unit in the reader's `ledger.view` scope, and opened only by a
reader who reaches every unit it reports on with its subtree (`check_briefing_readable`);
templates are configured by whoever holds `ledger.configure` (the campaign office) and only
chosen by the others. An issued briefing is read under the same rule.
"""

from django.http import Http404

from luoshi.org.access import get_unit_in_scope, has_perm, scope_for
from luoshi.org.models import Unit

from .models import BriefingLine, BriefingSection, BriefingTemplate, IssuedBriefing

CONFIGURE = "ledger.configure"


def get_briefing_unit_for_user(user, pk: int) -> Unit:
    """The unit a briefing is written for, or 404 outside the reader's `ledger.view` scope."""
    return get_unit_in_scope(user, pk, perm="ledger.view")


def reaches_subtree(user, unit: Unit) -> bool:
    """Whether `user` sees the ledger of `unit` and of every unit below it."""
    scope = scope_for(user, "ledger.view")
    if scope.everything or any(unit.path.startswith(path) for path in scope.subtree_paths):
        return True
    below = Unit.objects.alive().filter(path__startswith=unit.path).values_list("pk", flat=True)
    return all(pk in scope.unit_ids for pk in below)


def check_briefing_readable(user, template: BriefingTemplate, unit: Unit) -> None:
    """404 unless `user` reaches every unit the briefing reports on, each with its subtree: the
    same briefing is never written differently for different readers."""
    from .selectors import covered_units

    if not all(reaches_subtree(user, covered) for covered in covered_units(template, unit)):
        raise Http404


def get_template_for_user(user, pk: int, *, write: bool = False) -> BriefingTemplate:
    """A template: readers with ledger access choose active ones; configuring needs
    `ledger.configure` (404 otherwise)."""
    perm = CONFIGURE if write else "ledger.view"
    if scope_for(user, perm).is_empty:
        raise Http404
    templates = BriefingTemplate.objects.all()
    if not write:
        templates = templates.filter(is_active=True)
    template = templates.filter(pk=pk).first()
    if template is None:
        raise Http404
    return template


def get_section_for_user(user, pk: int) -> BriefingSection:
    if scope_for(user, CONFIGURE).is_empty:
        raise Http404
    section = BriefingSection.objects.select_related("template", "unit").filter(pk=pk).first()
    if section is None:
        raise Http404
    return section


def get_line_for_user(user, pk: int) -> BriefingLine:
    if scope_for(user, CONFIGURE).is_empty:
        raise Http404
    line = (
        BriefingLine.objects.select_related("section__template", "activity_type")
        .filter(pk=pk)
        .first()
    )
    if line is None:
        raise Http404
    return line


def can_issue_briefing(user, unit: Unit) -> bool:
    """The office (`ledger.configure`) or the unit's liaison (`ledger.record`) issues a
    briefing signed by the unit."""
    return has_perm(user, "ledger.configure", unit) or has_perm(user, "ledger.record", unit)


def get_issued_for_user(user, pk: int) -> IssuedBriefing:
    """An issued briefing, or 404 unless `user` reaches every unit it reports on."""
    issued = (
        IssuedBriefing.objects.select_related("unit", "template", "issued_by").filter(pk=pk).first()
    )
    if issued is None:
        raise Http404
    units = {unit.pk: unit for unit in Unit.objects.filter(pk__in=issued.data.get("units", []))}
    if not units or not all(reaches_subtree(user, unit) for unit in units.values()):
        raise Http404
    return issued
