"""Test-session settings shared by the unit tests, the doctests in ``esc/`` and the notebooks
(nbval): every run uses a throwaway cache folder, never the user's. It is set before
collection, so module-scoped fixtures and the notebook kernels (which inherit the
environment) are isolated too."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

_saved: dict[str, str | None] = {}


def pytest_configure(config: pytest.Config) -> None:
    _saved["ESC_CACHE_DIR"] = os.environ.get("ESC_CACHE_DIR")
    os.environ["ESC_CACHE_DIR"] = tempfile.mkdtemp(prefix="esc-test-cache-")


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(os.environ["ESC_CACHE_DIR"], ignore_errors=True)
    old = _saved.get("ESC_CACHE_DIR")
    if old is None:
        os.environ.pop("ESC_CACHE_DIR", None)
    else:
        os.environ["ESC_CACHE_DIR"] = old
