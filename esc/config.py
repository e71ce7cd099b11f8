"""Where esc looks for data and keeps its cache.

- Data folder (the publishers' raw files): ``ESC_DATA_DIR`` if set; otherwise
  ``../shared/data-raw`` beside the source checkout when that exists; otherwise none, and
  loaders that need a raw file say how to fetch it (``esc data fetch ...``).
- Cache folder (canonical Parquet tables and downloads): ``ESC_CACHE_DIR`` if set, otherwise
  the per-user cache folder from :mod:`platformdirs` (``~/.cache/esc`` on Linux).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

ENV_DATA_DIR = "ESC_DATA_DIR"
ENV_CACHE_DIR = "ESC_CACHE_DIR"

PACKAGE_ROOT = Path(__file__).resolve().parent
SOURCE_ROOT = PACKAGE_ROOT.parent  # the checkout, when esc runs from source or an editable install


def data_dir() -> Path | None:
    """The folder that holds raw publisher files, or ``None`` when there is none."""
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env).expanduser().resolve()
    shared = SOURCE_ROOT.parent / "shared" / "data-raw"
    if shared.is_dir():
        return shared
    return None


def cache_dir() -> Path:
    """The cache root; created on first use."""
    env = os.environ.get(ENV_CACHE_DIR)
    root = Path(env).expanduser() if env else Path(platformdirs.user_cache_dir("esc"))
    root.mkdir(parents=True, exist_ok=True)
    return root


def package_data_dir() -> Path:
    """The folder with esc's own data files (sector registry, partner groups, initiatives).

    In a wheel they sit in ``esc/data``; in a source checkout in ``data/`` at the top.
    """
    for candidate in (PACKAGE_ROOT / "data", SOURCE_ROOT / "data"):
        if (candidate / "sectors.csv").is_file():
            return candidate
    return SOURCE_ROOT / "data"


def notebooks_dir() -> Path:
    """The folder with esc's notebooks (``esc/notebooks`` in a wheel, ``notebooks/`` in a
    checkout)."""
    for candidate in (SOURCE_ROOT / "notebooks", PACKAGE_ROOT / "notebooks"):
        if candidate.is_dir() and any(candidate.glob("*.ipynb")):
            return candidate
    return SOURCE_ROOT / "notebooks"
