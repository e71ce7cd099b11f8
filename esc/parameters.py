"""Notebook parameters as people type them.

Papermill passes ``-p reporters IND,JPN`` as the string ``"IND,JPN"`` and ``-p reporters JPN``
as ``"JPN"``; a notebook that iterates over it then sees ``["J", "P", "N"]``. Each notebook's
setup cell therefore passes its list parameters through :func:`as_list`, which accepts every
spelling a person or a scheduler uses:

- a list or tuple: ``["IND", "JPN"]``;
- a comma- or space-separated string: ``"IND,JPN"``, ``"IND, JPN"``, ``"IND JPN"``;
- a JSON list: ``'["IND", "JPN"]'`` (``-y`` YAML lists arrive as lists already);
- one value: ``"JPN"``;
- ``None`` or ``""``: the empty list.

Country codes are upper-cased by :func:`as_countries`, which also checks them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from esc.countries import check_countries
from esc.errors import BadValueError

__all__ = ["as_countries", "as_list"]


def as_list(value: Any, *, name: str = "parameter") -> list[str]:
    """``value`` as a list of strings, whatever spelling it arrived in.

    >>> as_list("IND,JPN"), as_list("JPN"), as_list('["IND", "JPN"]'), as_list(("IND",))
    (['IND', 'JPN'], ['JPN'], ['IND', 'JPN'], ['IND'])
    >>> as_list("Energy and critical minerals; Bio-healthcare")
    ['Energy and critical minerals', 'Bio-healthcare']
    """
    if value is None:
        return []
    if isinstance(value, str):
        return _split(value, name)
    if isinstance(value, Iterable):
        return [str(v).strip() for v in value if str(v).strip()]
    return [str(value)]


def _split(text: str, name: str) -> list[str]:
    text = text.strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as exc:
            raise BadValueError(f"{name}: {text!r} looks like a JSON list but is not one "
                                f"({exc.msg})") from exc
        return as_list(parsed, name=name)
    # Names with spaces (sectors) are separated by ";", codes by "," or spaces.
    if ";" in text:
        return [p.strip() for p in text.split(";") if p.strip()]
    if "," in text:
        return [p.strip() for p in text.split(",") if p.strip()]
    return [p for p in text.split() if p] if _all_codes(text) else ([text] if text else [])


def _all_codes(text: str) -> bool:
    return all(p.isalnum() and p.upper() == p for p in text.split())


def as_countries(value: Any, *, name: str = "reporters") -> list[str]:
    """``value`` as a checked list of ISO3 codes (upper case).

    >>> as_countries("ind, jpn"), as_countries("ind jpn")
    (['IND', 'JPN'], ['IND', 'JPN'])
    """
    if isinstance(value, str):
        value = value.upper()
    codes = [c.upper() for c in as_list(value, name=name)]
    if not codes:
        raise BadValueError(f"{name}: no country given")
    return check_countries(codes, what=name.rstrip("s") or "country")
