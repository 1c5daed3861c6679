"""The built-in QR encoder. The pinned matrices were decoded with zbarimg when written (every
mask, versions 1–6); the tests keep them from drifting and check the structure."""

import hashlib

import pytest
from django.urls import reverse
from django.utils import timezone

from luoshi.ledgers import qr, services


def _digest(modules: list[list[bool]]) -> str:
    bits = "".join("1" if dark else "0" for row in modules for dark in row)
    return hashlib.sha256(bits.encode()).hexdigest()


@pytest.mark.parametrize(
    ("text", "size", "digest"),
    [
        ("123456", 21, "df4ec906345def32de6189c61e423e100a4b02b91c184d43d052e9cd235ec0c7"),
        (
            "http://testserver/ledgers/checkin/?code=123456",
            33,
            "0c4da59a806bcf046355ba8ef55cbc7d2520f7c2bf06fd0ccc02a51fb8883adf",
        ),
    ],
)
def test_known_matrices(text, size, digest):
    modules = qr.matrix(text)
    assert len(modules) == size and all(len(row) == size for row in modules)
    assert _digest(modules) == digest


def test_finder_patterns_and_timing():
    modules = qr.matrix("http://testserver/ledgers/checkin/?code=654321")
    size = len(modules)
    for x0, y0 in ((0, 0), (size - 7, 0), (0, size - 7)):
        ring = [modules[y0][x0 + i] for i in range(7)]
        assert ring == [True] * 7
        assert modules[y0 + 1][x0 + 1] is False and modules[y0 + 3][x0 + 3] is True
    assert [modules[6][x] for x in range(8, size - 8)] == [x % 2 == 0 for x in range(8, size - 8)]
    assert modules[size - 8][8] is True  # the dark module


def test_too_long_is_refused():
    with pytest.raises(qr.TooLong):
        qr.matrix("x" * 200)


def test_detail_page_shows_the_qr_code(world, client_for, meeting):
    activity = services.record_activity(
        actor=world.liaison,
        activity_type=meeting,
        unit=world.unit_a,
        title="周例会",
        starts_at=timezone.now(),
    )
    page = client_for(world.liaison).get(reverse("ledgers:activity-detail", args=[activity.pk]))
    html = page.content.decode()
    assert 'class="qr-code d-block"' in html and "签到二维码" in html
    assert f"/ledgers/checkin/?code={activity.checkin_code}" in html
