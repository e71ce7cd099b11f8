"""Files written whole or not at all.

Every file esc writes for a reader (manifests, pages, decks, workbooks, tables) goes to a
temporary name beside its target and is then moved into place with ``os.replace``, which is
atomic within a file system: a reader sees the old file or the new one, never half of one.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

__all__ = ["write_atomic"]


def _temp_beside(path: Path) -> Path:
    """A fresh temporary name in ``path``'s folder (created with the usual permissions)."""
    return path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:12]}.tmp")


def write_atomic(path: Path, payload: str | bytes) -> Path:
    """Write ``payload`` to a temporary file beside ``path``, then move it into place.

    Readers see the old file or the new one, never half of one (``os.replace`` is atomic
    within a file system).
    """
    tmp = _temp_beside(path)
    mode = "xb" if isinstance(payload, bytes) else "x"
    try:
        with open(tmp, mode, **({} if isinstance(payload, bytes) else {"encoding": "utf-8"})
                  ) as fh:
            fh.write(payload)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path
