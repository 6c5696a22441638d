"""The spoken call-out, in Mandarin: "请 A023 号 到 3 号窗口", said digit by digit.

One place builds the words; the lobby display speaks them with the browser's zh-CN voice, or
plays the same sentence rendered offline by espeak-ng when the browser has no Chinese voice.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess

DIGITS = "零一二三四五六七八九"
NUMBER = re.compile(r"^[A-Z]{1,2}[0-9]{1,5}$")


def spoken_digits(text: str) -> str:
    return "".join(DIGITS[int(ch)] if ch.isdigit() else ch for ch in text)


def spoken_count(value: int) -> str:
    """A desk number as said in Mandarin: 3 三, 10 十, 12 十二, 20 二十, 105 一零五."""
    if 0 <= value < 10:
        return DIGITS[value]
    if value < 20:
        return "十" + (DIGITS[value - 10] if value > 10 else "")
    if value < 100:
        tens, ones = divmod(value, 10)
        return DIGITS[tens] + "十" + (DIGITS[ones] if ones else "")
    return spoken_digits(str(value))


def floor_words(floor: int) -> str:
    """A floor as said in Mandarin: 2 二楼, -1 地下一层."""
    if floor < 0:
        return f"地下{spoken_count(-floor)}层"
    return f"{spoken_count(floor)}楼"


def call_text(number: str, desk_number: int) -> str:
    """What the screen shows (the desk's place is shown beside it)."""
    return f"请 {number} 号 到 {desk_number} 号窗口"


def call_speech(number: str, desk_number: int, floor: int | None = None) -> str:
    """What the voice says: letters as letters, digits one by one, the desk as a number, and
    the floor when the desk is not on the lobby's floor (`floor` None)."""
    where = f"{floor_words(floor)} " if floor is not None else ""
    return f"请 {spoken_digits(number)} 号，到 {where}{spoken_count(desk_number)} 号窗口"


def espeak_available() -> bool:
    return shutil.which("espeak-ng") is not None


@functools.lru_cache(maxsize=1024)
def render_wav(number: str, desk_number: int, floor: int | None = None) -> bytes:
    """The sentence as WAV from espeak-ng's Mandarin voice (offline), rendered once per
    (number, desk) and kept: a recall, and every other screen, get it from memory."""
    if not NUMBER.match(number) or not 0 < desk_number < 1000:
        raise ValueError("not a ticket number and desk")
    if floor is not None and not -10 < floor < 200:
        raise ValueError("not a floor")
    sentence = call_speech(number, desk_number, floor)
    result = subprocess.run(
        ["espeak-ng", "-v", "cmn", "-s", "140", "--stdout", sentence],
        capture_output=True,
        check=True,
        timeout=10,
    )
    return result.stdout
