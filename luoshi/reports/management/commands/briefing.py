"""`manage.py briefing --unit 市文体旅游广电局 --from 2022-01-01 --to 2022-04-14`: the briefing as
plain text, with the whole ledger in scope (the command runs on the server, as its operator)."""

import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from luoshi.org.models import Unit
from luoshi.reports.forms import default_period
from luoshi.reports.models import BriefingTemplate
from luoshi.reports.selectors import active_templates, write_briefing


def _date(value: str | None, label: str) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(
            _("%(label)s“%(value)s”不是有效日期，格式如 2022-04-14。")
            % {"label": label, "value": value}
        ) from error


class Command(BaseCommand):
    help = "按简报模板写出某单位某时段的工作简报（纯文本）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help="单位名称（全称或简称）")
        parser.add_argument("--from", dest="date_from", help="开始日期，默认为当年 1 月 1 日")
        parser.add_argument("--to", dest="date_to", help="截止日期，默认为今天")
        parser.add_argument("--template", help="简报模板名称，默认为第一个启用的模板")

    def handle(self, *args, **options) -> None:
        name = options["unit"].strip()
        alive = Unit.objects.alive().select_related("parent")
        units = list(alive.filter(name=name)) or list(alive.filter(short_name=name))
        if not units:
            raise CommandError(_("找不到名为“%(name)s”的单位。") % {"name": name})
        if len(units) > 1:
            paths = "；".join(
                f"{unit.parent.name}／{unit.name}" if unit.parent else unit.name for unit in units
            )
            raise CommandError(
                _("名为“%(name)s”的单位有 %(n)d 个（%(units)s），请写明上级单位以示区分。")
                % {"name": name, "n": len(units), "units": paths}
            )
        date_to = _date(options["date_to"], _("截止日期")) or default_period()[1]
        date_from = _date(options["date_from"], _("开始日期")) or date_to.replace(month=1, day=1)
        if date_to < date_from:
            raise CommandError(_("截止日期不能早于开始日期。"))
        template = self._template(options["template"])
        briefing = write_briefing(
            user=None, template=template, unit=units[0], date_from=date_from, date_to=date_to
        )
        self.stdout.write(briefing.plain_text(), ending="")

    def _template(self, name: str | None) -> BriefingTemplate:
        if name:
            template = BriefingTemplate.objects.filter(name=name).first()
            if template is None:
                raise CommandError(_("找不到名为“%(name)s”的简报模板。") % {"name": name})
            return template
        template = active_templates().first()
        if template is None:
            raise CommandError(_("还没有启用的简报模板，请行动办先在“简报模板”页面配置。"))
        return template
