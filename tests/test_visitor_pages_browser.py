"""The visitor pages follow the age-friendly rules (适老化, MIIT): measured in headless Chromium
on a portrait kiosk (1080×1920) and a phone (390×844), at 100 % and at 200 % zoom and 200 %
text — body text at least 18 px, tap targets at least 60×60 px on the kiosk and 44×44 px on a
phone, nothing spilling out of the screen or its box — and checked by axe-core (WCAG 2 A/AA,
contrast at least 4.5:1 included)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import screenshot
from tests.live_server import Hall

pytestmark = pytest.mark.browser
AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
KIOSK = {"width": 1080, "height": 1920}
PHONE = {"width": 390, "height": 844}

CHECKS = Path(__file__).resolve().parent / "js" / "age_friendly.js"


@pytest.fixture(scope="module")
def hall(tmp_path_factory) -> Iterator[Hall]:
    running = Hall(tmp_path_factory.mktemp("visitors"))
    yield running
    running.stop()


def _check(page, least: int) -> list[str]:
    """What on the page breaks the rules: small text and targets, spills, broken words."""
    page.add_script_tag(path=str(CHECKS))
    found = [f"text {t}" for t in page.evaluate("n => ageFriendly.smallText(n)", 18)]
    found += [f"target {t}" for t in page.evaluate("n => ageFriendly.smallTargets(n)", least)]
    found += [f"spill {t}" for t in page.evaluate("() => ageFriendly.spills()")]
    found += [f"broken {t}" for t in page.evaluate("() => ageFriendly.brokenWords()")]
    return found


def _pages(hall: Hall) -> dict[str, tuple[str, dict]]:
    """Every visitor page, with the screen it is seen on."""
    ticket = hall.issue("B")
    served = hall.issue("C")
    hall.api("POST", "/desks/3/call-next")
    hall.api("POST", f"/tickets/{served['id']}/start", {"desk_id": 3})
    hall.api("POST", f"/tickets/{served['id']}/finish", {"desk_id": 3, "outcome": "已答复"})
    services = hall.api("GET", "/services")
    items = services["services"] if isinstance(services, dict) else services
    video = next(s for s in items if s["prefix"] == "V")
    lawyer = next(s for s in items if s["prefix"] == "L")
    base = hall.url
    return {
        "kiosk": (f"{base}/kiosk/", KIOSK),
        "kiosk-ticket": (f"{base}/kiosk/ticket/{ticket['token']}", KIOSK),
        "kiosk-checkin": (f"{base}/kiosk/checkin", KIOSK),
        "kiosk-units": (f"{base}/kiosk/units/{video['id']}", KIOSK),
        "phone-waiting": (f"{base}/t/{ticket['token']}", PHONE),
        "phone-finished": (f"{base}/t/{served['token']}", PHONE),
        "book": (f"{base}/book/", PHONE),
        "book-slots": (f"{base}/book/{lawyer['id']}", PHONE),
        "book-leaders": (f"{base}/book/leaders", PHONE),
        "book-manage": (f"{base}/book/manage", PHONE),
        "online": (f"{base}/online/", PHONE),
        "online-lookup": (f"{base}/online/lookup", PHONE),
    }


def test_visitor_pages_follow_the_age_friendly_rules(browser, hall):
    problems: dict[str, list[str]] = {}
    for name, (url, screen) in _pages(hall).items():
        least = 60 if screen is KIOSK else 44
        for zoom in (1, 2):
            # 200 % zoom: the same screen holds half as many CSS pixels each way
            viewport = {"width": screen["width"] // zoom, "height": screen["height"] // zoom}
            context = browser.new_context(
                viewport=viewport, device_scale_factor=zoom, locale="zh-CN",
                is_mobile=screen is PHONE, has_touch=True,
            )  # fmt: skip
            page = context.new_page()
            page.goto(url)
            page.wait_for_load_state("networkidle")
            found = _check(page, least)
            if zoom == 1:
                page.add_script_tag(path=str(AXE))
                found += [f"axe {v}" for v in page.evaluate("() => ageFriendly.axe()")]
                screenshot(page, f"a11y-{name}")
                # 200 % text: the words twice as large, on the same screen
                page.add_style_tag(content="html { font-size: 200% !important; }")
                found += [
                    f"text-200 spill {t}" for t in page.evaluate("() => ageFriendly.spills()")
                ]
            else:
                screenshot(page, f"a11y-{name}-zoom200")
            if found:
                problems[f"{name} @{zoom * 100}%"] = found
            context.close()
    assert problems == {}, "\n".join(f"{k}:\n  " + "\n  ".join(v) for k, v in problems.items())
