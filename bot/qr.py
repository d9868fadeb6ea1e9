"""QR codes of the bot's links, as PNG images to print and post."""

from __future__ import annotations

import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M


def qr_png(link: str) -> bytes:
    """A PNG of `link`, with a quiet border and medium error correction: it still reads
    from a creased paper on a cultural-house notice board."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=10, border=4)
    code.add_data(link)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return buffer.getvalue()
