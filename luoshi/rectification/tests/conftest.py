"""Rectification fixtures: the 文化市场检查 type (as in the demo) and a JSON API client."""

import datetime
import json

import pytest
from django.utils import timezone

from luoshi.ledgers import services as ledger
from luoshi.ledgers.models import ActivityType, Category


@pytest.fixture
def inspection_type(world) -> ActivityType:
    return ledger.create_activity_type(
        actor=world.office,
        name="文化市场检查",
        category=Category.INSPECTION,
        campaign=world.campaign,
        fields=[
            {"key": "venue_name", "label": "检查场所", "kind": "text", "required": True},
            {
                "key": "venue_kind",
                "label": "场所类型",
                "kind": "choice",
                "required": True,
                "choices": ["网吧", "歌舞娱乐场所", "影院", "书店", "印刷企业", "其他"],
            },
            {
                "key": "result",
                "label": "检查结果",
                "kind": "choice",
                "required": True,
                "choices": ["合格", "责令整改", "立案查处"],
            },
            {"key": "findings", "label": "发现问题", "kind": "text"},
        ],
    )


def record_inspection(
    world,
    inspection_type,
    *,
    venue="星空网吧",
    kind="网吧",
    result="责令整改",
    unit=None,
    actor=None,
    days_ago=1,
):
    return ledger.record_activity(
        actor=actor or world.liaison,
        activity_type=inspection_type,
        unit=unit or world.unit_a,
        title=f"检查{venue}",
        starts_at=timezone.now() - datetime.timedelta(days=days_ago),
        values={
            "venue_name": venue,
            "venue_kind": kind,
            "result": result,
            "findings": "未成年人上网登记不全",
        },
        participants=[world.liaison, world.staff] if actor is None else [],
    )


class Api:
    def __init__(self, client):
        self.client = client

    def get(self, path, params=None):
        return self.client.get(f"/api{path}", params or {})

    def post(self, path, body):
        return self.client.post(f"/api{path}", json.dumps(body), content_type="application/json")


@pytest.fixture
def api_for(client_for):
    return lambda user: Api(client_for(user))
