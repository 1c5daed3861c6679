"""The check-in QR code as inline SVG, drawn by segno (a pure-Python QR encoder)."""

import segno
from django.utils.safestring import SafeString, mark_safe


def svg(text: str, *, label: str = "") -> SafeString:
    """An inline, scalable SVG (no fixed size: it fills its box) of the QR code of `text`.

    Level M error correction, a four-module quiet zone and a white background, so that a phone
    reads it from a projector screen as well as from paper. segno escapes the title itself.
    """
    code = segno.make(text, error="m", micro=False, boost_error=False)
    return mark_safe(
        code.svg_inline(
            scale=1,
            border=4,
            light="#fff",
            svgclass="qr-code d-block",
            omitsize=True,
            title=label or None,
        )
    )
