"""The audit export leaves the building: no full phone number in any of its cells."""

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from luoshi.audit.models import AuditEvent
from luoshi.audit.services import record
from luoshi.lib.phones import mask_phone, mask_phones
from luoshi.org import services as org

pytestmark = pytest.mark.django_db

MOBILE = re.compile(r"1[3-9]\d{9}")


def test_mask_phones_in_text():
    assert mask_phones("请联系13812345678。") == "请联系138****5678。"
    assert mask_phones("139 0000 1111 与 159-0000-2222") == "139****1111 与 159****2222"
    assert mask_phones("+8613812345678") == "138****5678"
    # Not a mobile: a longer digit run, or a number that is not 1[3-9]…
    assert mask_phones("单号 213812345678") == "单号 213812345678"
    assert mask_phones("12012345678") == "12012345678"
    assert mask_phone("0971-8123456") == "097****3456"
    assert mask_phone("12345") == "*****"


def test_export_masks_phones_in_every_column(client_for, world):
    org.update_person(actor=world.sysadmin, person=world.staff, phone="13912345678")
    record(
        actor=world.staff,
        action=AuditEvent.Action.LOGIN_FAILED,
        object_type="accounts.user",
        object_id="15800001111",
        object_repr="登录名 15800001111",
        note="来电 186-0000-2222 反映；座机 0971-8123456",
    )
    response = client_for(world.auditor).get(reverse("audit:event-export"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    text = "\n".join(str(cell) for row in sheet.iter_rows(values_only=True) for cell in row)
    assert not MOBILE.search(text.replace(" ", "").replace("-", ""))
    assert "139****5678" in text  # the phone field's change, after
    assert "158****1111" in text  # the object number and the object
    assert "186****2222" in text  # free text in the note
    # The log itself keeps what happened; only the copy that leaves is masked.
    assert AuditEvent.objects.filter(object_id="15800001111").exists()
