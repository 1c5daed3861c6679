"""The English UI: the catalogue (luoshi/locale/en) is complete and is used when the user picks
English; Chinese stays the default."""

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from luoshi.campaigns import services as chain
from luoshi.campaigns.models import TaskState
from luoshi.testing import issued_task

pytestmark = pytest.mark.django_db

PO_FILE = Path(settings.BASE_DIR) / "luoshi" / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def task_url(name: str, pk: int) -> str:
    return reverse(f"campaigns:{name}", args=[pk])


# --- the catalogue --------------------------------------------------------------------------------


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text)


def po_entries() -> list[dict]:
    """(msgid, msgid_plural, msgstrs, flags) of every entry, read without polib."""
    entries = []
    for block in PO_FILE.read_text(encoding="utf-8").split("\n\n"):
        entry: dict = {"flags": [], "msgid": None, "msgid_plural": None, "msgstr": {}}
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] += [flag.strip() for flag in line[2:].split(",")]
            elif line.startswith("#"):
                continue
            elif match := re.match(r'^(msgid_plural|msgid|msgstr(?:\[(\d)\])?) "(.*)"$', line):
                word, index, text = match.groups()
                key = ("msgstr", int(index or 0)) if word.startswith("msgstr") else (word, None)
                if key[0] == "msgstr":
                    entry["msgstr"][key[1]] = _unquote(text)
                else:
                    entry[word] = _unquote(text)
            elif line.startswith('"') and key:
                text = _unquote(line[1:-1])
                if key[0] == "msgstr":
                    entry["msgstr"][key[1]] += text
                else:
                    entry[key[0]] += text
        if entry["msgid"] is not None:
            entries.append(entry)
    return entries


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%|<[^>]+>")


def test_catalogue_is_complete_and_compiled():
    entries = [entry for entry in po_entries() if entry["msgid"]]  # skip the header
    assert len(entries) > 700
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in PO_FILE.read_text(encoding="utf-8")
    empty = [entry["msgid"] for entry in entries if not all(entry["msgstr"].values())]
    assert empty == []
    fuzzy = [entry["msgid"] for entry in entries if "fuzzy" in entry["flags"]]
    assert fuzzy == []
    for entry in entries:
        if entry["msgid_plural"] is not None:
            assert sorted(entry["msgstr"]) == [0, 1], entry["msgid"]
        sources = [entry["msgid"], entry["msgid_plural"] or entry["msgid"]]
        for index, text in entry["msgstr"].items():
            source = sources[min(index, 1)]
            if "python-format" in entry["flags"] or "<" in source:
                assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(source)), (
                    entry["msgid"]
                )
            # An English string keeps no Chinese except quoted examples of Chinese input.
            if not re.search(r"[\u4e00-\u9fff]", source):
                assert not re.search(r"[\u4e00-\u9fff]", text), entry["msgid"]
    # The committed .mo is compiled from this .po (run compilemessages after editing the .po).
    with MO_FILE.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in entries:
        if entry["msgid_plural"] is None:
            assert compiled.gettext(entry["msgid"]) == entry["msgstr"][0], entry["msgid"]
        else:
            assert (
                compiled.ngettext(entry["msgid"], entry["msgid_plural"], 2) == (entry["msgstr"][1])
            ), entry["msgid"]


def test_catalogue_uses_the_agreed_terms():
    with translation.override("en"):
        assert translation.gettext("专项行动") == "Campaign"
        assert translation.gettext("行动办") == "Campaign office"
        assert translation.gettext("责任单位") == "Responsible unit"
        assert translation.gettext("责任人") == "Owner"
        assert translation.gettext("督办单") == "Supervision notice"
        assert translation.gettext("序时进度") == "Scheduled progress"
        assert translation.gettext("审计日志") == "Audit log"
        assert translation.gettext("红色预警") == "Red warning"
        assert translation.ngettext("共 %(n)s 个单位", "共 %(n)s 个单位", 1) % {"n": 1} == (
            "1 unit in total"
        )
        assert translation.ngettext("共 %(n)s 个单位", "共 %(n)s 个单位", 3) % {"n": 3} == (
            "3 units in total"
        )


# --- pages ----------------------------------------------------------------------------------------


def test_chinese_is_the_default(world, client_for):
    page = Client().get(reverse("accounts:login")).content.decode()
    assert '<html lang="zh-hans">' in page
    assert "忘记密码请联系本单位系统管理员重置" in page and "Log in" not in page
    page = client_for(world.liaison).get(reverse("campaigns:workbench")).content.decode()
    assert "工作台" in page and "待办事项" in page and "Workbench" not in page


def test_login_page_in_english():
    client = english(Client())
    page = client.get(reverse("accounts:login")).content.decode()
    assert '<html lang="en">' in page
    assert "Log in" in page and "Password" in page
    assert "Forgot your password? Ask your unit's system administrator" in page.replace(
        "&#x27;", "'"
    )
    assert "忘记密码" not in page
    # A wrong password gets the English message.
    response = client.post(
        reverse("accounts:login"), {"username": "nobody", "password": "wrong-Pass1"}
    )
    assert "Incorrect username or password." in response.content.decode()


def test_language_switcher_turns_the_workbench_english(world, client_for):
    client = client_for(world.liaison)
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("campaigns:workbench")}
    )
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    issued_task(world)
    page = client.get(reverse("campaigns:workbench")).content.decode()
    assert "Workbench" in page and "To-do" in page and "To sign for" in page
    assert "Log out" in page and "Unread messages" in page and "My settings" in page
    assert "工作台" not in page and "待办事项" not in page
    # Back to Chinese.
    client.post(reverse("set_language"), {"language": "zh-hans"})
    page = client.get(reverse("campaigns:workbench")).content.decode()
    assert "工作台" in page and "Workbench" not in page


def test_accept_language_english(world, client_for):
    client = client_for(world.liaison)
    page = client.get(reverse("campaigns:workbench"), headers={"Accept-Language": "en"})
    assert "Workbench" in page.content.decode()


def test_task_page_in_english(world, client_for):
    task = issued_task(world)[0]
    page = english(client_for(world.liaison)).get(task_url("task-detail", task.pk))
    text = page.content.decode()
    assert page.status_code == 200
    for label in ("Deadline", "Sign-for deadline", "Responsible unit", "Trail", "Sign for"):
        assert label in text, label
    assert "To sign for" in text  # the state badge
    assert "签收时限" not in text and "办理轨迹" not in text


def test_form_field_error_on_the_task_page_in_english(world, client_for):
    task = issued_task(world)[0]
    chain.sign_task(actor=world.liaison, task=task)
    chain.assign_task(actor=world.liaison, task=task, owner=world.staff)
    chain.report_progress(actor=world.staff, task=task, percent=100, text="完成", complete=True)
    task.refresh_from_db()
    assert task.state == TaskState.SUBMITTED
    client = english(client_for(world.office))
    response = client.post(task_url("task-verify", task.pk), {"decision": "return", "reason": ""})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Give a reason for returning the task." in text and "退回时请填写理由" not in text
    task.refresh_from_db()
    assert task.state == TaskState.SUBMITTED


def test_service_error_in_english_when_english_is_active(world):
    task = issued_task(world)[0]
    with translation.override("en"), pytest.raises(chain.IllegalMove) as caught:
        chain.verify_task(actor=world.office, task=task, passed=True, quality="good")
    message = caught.value.messages[0]
    assert "“Verify” is not possible" in message and "“To sign for”" in message
    assert "To verify" in message
    with translation.override("zh-hans"), pytest.raises(chain.IllegalMove) as caught:
        chain.verify_task(actor=world.office, task=task, passed=True, quality="good")
    assert "不能复核" in caught.value.messages[0]
