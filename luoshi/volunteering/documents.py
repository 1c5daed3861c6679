"""The certificate of volunteer service as a Word document in 公文 form (luoshi.lib.docx), with
a QR code to its public verification page."""

import io

import segno
from django.utils import timezone
from django.utils.translation import gettext as _
from docx.shared import Mm

from luoshi.lib.docx import OfficialDocument

from .models import Certificate, ServiceHours


def qr_png(url: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=6, border=2)
    return buffer.getvalue()


def certificate_docx(certificate: Certificate, *, verify_url: str) -> bytes:
    """Title, the statement (who, which ID, what period, how many services and hours), the
    services in a table (计时/补录 marked), the QR code, then the issuer and the date."""
    document = OfficialDocument()
    document.title(_("志愿服务证明"))
    document.subtitle(_("编号：%(n)s") % {"n": certificate.number})
    document.blank()
    document.body(
        _(
            "兹证明%(name)s（%(id)s）于 %(start)s 至 %(end)s 期间参加由%(issuer)s组织的志愿服务"
            "活动 %(n)d 次，累计志愿服务时长 %(hours)s 小时。"
        )
        % {
            "name": certificate.masked_name,
            "id": certificate.masked_id,
            "start": certificate.date_from.strftime("%Y年%m月%d日"),
            "end": certificate.date_to.strftime("%Y年%m月%d日"),
            "issuer": certificate.issuer.name,
            "n": certificate.services,
            "hours": certificate.hours,
        }
    )
    document.body(_("特此证明。"))
    methods = dict(ServiceHours.Method.choices)
    document.table(
        [_("服务日期"), _("活动名称"), _("地点"), _("时长（小时）"), _("记录方式")],
        [
            [
                line["date"],
                line["activity"],
                line["place"],
                line["hours"],
                methods.get(line["method"], ""),
            ]
            for line in certificate.lines
        ],
    )
    document.blank()
    document.image(
        qr_png(verify_url), width=Mm(28), caption=_("扫码核验：%(n)s") % {"n": certificate.number}
    )
    issued = timezone.localtime(certificate.issued_at)
    document.closing(certificate.issuer.name, f"{issued.year}年{issued.month}月{issued.day}日")
    return document.content(author=certificate.issuer.name, title=_("志愿服务证明"))
