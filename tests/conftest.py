"""Shared fixtures.

Tests that need the real public files (``../shared/data-raw`` or ``$ESC_DATA_DIR``) take the
``raw_dir`` fixture: it skips with a reason when the folder is absent, and fails instead when
``ESC_REQUIRE_RAW=1`` (set by ``.ci/run``), so CI cannot pass by skipping them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from esc.config import data_dir


@pytest.fixture(scope="session", autouse=True)
def _shared_demo_world(tmp_path_factory: pytest.TempPathFactory):
    """One generated demo world per session, linked into each test's cache (ESC_DEMO_DIR)."""
    os.environ.setdefault("ESC_DEMO_DIR", str(tmp_path_factory.mktemp("demo-world")))


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Every test gets its own empty cache folder, never the user's."""
    monkeypatch.setenv("ESC_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


def _require(folder: str) -> Path:
    root = data_dir()
    path = root / folder if root else None
    if path is None or not path.is_dir():
        reason = (f"real data folder {folder!r} not found (set ESC_DATA_DIR or put "
                  f"../shared/data-raw beside the checkout)")
        if os.environ.get("ESC_REQUIRE_RAW") == "1":
            pytest.fail(reason + "; ESC_REQUIRE_RAW=1 makes it mandatory")
        pytest.skip(reason)
    return path


@pytest.fixture
def raw_dir() -> Path:
    """The data folder with the real public files (skips or fails when absent)."""
    root = data_dir()
    if root is None:
        _require("")
    return root  # type: ignore[return-value]


@pytest.fixture
def raw(request: pytest.FixtureRequest):
    """``raw("wits-india-mirror-hs2")`` -> that sub-folder of the data folder, or skip/fail."""
    return _require
