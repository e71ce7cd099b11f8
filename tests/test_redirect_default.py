"""The documented default redirect share is the code's, and the docs say where it comes from.

``docs/scenarios.md``, section "Why redirect defaults to X%", states the default, quotes its
published sources with their addresses, and derives the span of published figures from the
quoted numbers. These tests tie that section to :data:`esc.scenarios.DEFAULT_REDIRECT` and redo
the derivation from the quotes by hand, so neither the constant nor the doc can change alone.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from esc.scenarios import DEFAULT_REDIRECT

DOC = Path(__file__).resolve().parents[1] / "docs" / "scenarios.md"
HEADING = re.compile(r"^### Why redirect defaults to (\d+(?:\.\d+)?)%[ \t]*$", re.MULTILINE)
NEXT_HEADING = re.compile(r"^#{1,3} ", re.MULTILINE)
ADDRESS = re.compile(r"<(https?://[^>\s]+)>")


def _section() -> tuple[float, str]:
    """(default share stated in the heading, 0-1; section text with whitespace collapsed)."""
    text = DOC.read_text(encoding="utf-8")
    match = HEADING.search(text)
    assert match, f"{DOC}: no '### Why redirect defaults to X%' section"
    end = NEXT_HEADING.search(text, match.end())
    body = text[match.end():end.start() if end else len(text)]
    return float(match.group(1)) / 100.0, " ".join(body.split())


def _number(pattern: str, body: str) -> float:
    """The first group of ``pattern`` in the section, as a float; fails naming the pattern."""
    match = re.search(pattern, body)
    assert match, f"quoted figure not found in the section: {pattern!r}"
    return float(match.group(1))


def test_documented_default_is_the_code_default():
    documented, _ = _section()
    assert math.isclose(documented, DEFAULT_REDIRECT, abs_tol=1e-12), (
        f"docs/scenarios.md documents {documented:.0%}, esc.scenarios.DEFAULT_REDIRECT is "
        f"{DEFAULT_REDIRECT:.0%}")


def test_every_address_comes_with_a_verbatim_quote():
    _, body = _section()
    addresses = ADDRESS.findall(body)
    assert len(addresses) >= 3, "the section should cite several published sources"
    # Each address is followed at once by ': "quoted sentence"' (at least 20 characters).
    for address in addresses:
        cited = re.search(re.escape(f"<{address}>") + r': "[^"]{20,}"', body)
        assert cited, f"no quoted sentence right after {address}"


def test_published_span_recomputed_from_the_quotes():
    _, body = _section()
    # Fajgelbaum et al.: extra exports of tariffed products by bystander countries, percent.
    tariff_row = _number(r"an average of (\d+(?:\.\d+)?)% during the period studied", body)
    # Thailand's rice exports before and in the year of India's ban, million tonnes.
    thai_2022 = _number(r"exported (\d+\.\d+) million tonnes of rice in 2022", body)
    thai_2023 = _number(r"shipping out (\d+(?:\.\d+)?) mt", body)
    rice_row = 100.0 * (thai_2023 / thai_2022 - 1.0)
    # EIA, US LNG, billion cubic feet a day.
    total_2022 = _number(r"averaged (\d+\.\d+) billion ft3/d in 2022", body)
    growth = _number(r"\((\d+\.\d+) billion ft3/d\) compared with 2021", body)
    europe_rise = _number(r"increased 141%, or (\d+\.\d+) billion ft3/d", body)
    europe_2022 = _number(r"64% \((\d+\.\d+) billion ft3/d\)", body)
    others_2021 = (total_2022 - growth) - (europe_2022 - europe_rise)
    lng_row = 100.0 * europe_rise / others_2021

    assert math.isclose(others_2021, 7.0, abs_tol=1e-9)  # 9.8 - 2.8 by hand
    assert f"= {round(rice_row)}%" in body
    assert f"= {round(lng_row)}%" in body
    low = _number(r"span (\d+(?:\.\d+)?)% to", body)
    high = _number(r"span \d+(?:\.\d+)?% to (\d+(?:\.\d+)?)%", body)
    assert low == tariff_row
    assert high == round(lng_row)
    # The default sits between the two rows comparable to esc's products, below the LNG case.
    assert tariff_row / 100.0 <= DEFAULT_REDIRECT <= rice_row / 100.0 < lng_row / 100.0
