"""The printed QR code decodes, with a real decoder, to the ticket page's absolute URL."""

from __future__ import annotations

import io
import re

import zxingcpp
from PIL import Image

from tests.helpers import service_by_prefix


def _decode_png(data: bytes) -> list[str]:
    image = Image.open(io.BytesIO(data)).convert("L")
    return [result.text for result in zxingcpp.read_barcodes(image)]


def test_ticket_qr_decodes_to_the_ticket_url(app, client, db):
    response = client.post("/kiosk/issue", data={"service_id": service_by_prefix("A").id})
    token = response.headers["Location"].rsplit("/", 1)[1]
    svg = client.get(f"/t/{token}/qr.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    png = _rasterise(svg.get_data(as_text=True))
    assert _decode_png(png) == [f"http://hall.test/t/{token}"]


def test_public_url_setting_is_used_in_the_qr(app, client, db):
    app.config["PUBLIC_URL"] = "https://hall.example.gov.cn/"
    try:
        response = client.post("/kiosk/issue", data={"service_id": service_by_prefix("B").id})
        token = response.headers["Location"].rsplit("/", 1)[1]
        png = _rasterise(client.get(f"/t/{token}/qr.svg").get_data(as_text=True))
        assert _decode_png(png) == [f"https://hall.example.gov.cn/t/{token}"]
    finally:
        app.config["PUBLIC_URL"] = None


def _rasterise(svg: str) -> bytes:
    """Draw the SVG path's unit squares onto a bitmap (PIL cannot read SVG)."""
    view = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg)
    assert view, svg[:200]
    width = float(view.group(1))
    path = re.search(r'<path[^>]* d="([^"]+)"', svg).group(1)
    scale = 8
    image = Image.new("L", (int(width * scale), int(width * scale)), 255)
    pixels = image.load()
    for x, y in re.findall(r"M([\d.]+),([\d.]+)", path):
        left, top = int(float(x) * scale), int(float(y) * scale)
        for dx in range(scale):
            for dy in range(scale):
                pixels[left + dx, top + dy] = 0
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
