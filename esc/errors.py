"""Named errors. Every message names the file and, where known, the line or column.

The library raises these instead of asserting on user input, so that callers (the CLI,
notebooks, schedulers) can tell bad input from a bug.
"""

from __future__ import annotations

from pathlib import Path


class EscError(Exception):
    """Base class of every error esc raises on purpose."""


class InputError(EscError):
    """Bad input data. Carries where the problem is: ``path``, ``line``, ``column``.

    ``line`` is 1-based and counts the header as line 1, as a text editor shows it.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        column: str | None = None,
    ) -> None:
        self.path = str(path) if path is not None else None
        self.line = line
        self.column = column
        where = []
        if self.path:
            where.append(self.path)
        if line is not None:
            where.append(f"line {line}")
        if column is not None:
            where.append(f"column {column!r}")
        prefix = (", ".join(where) + ": ") if where else ""
        super().__init__(prefix + message)


class MissingColumnError(InputError):
    """A required column is absent from a file or table."""


class BadValueError(InputError):
    """A value cannot be parsed (non-numeric value, malformed code, negative trade value)."""


class UnknownCountryError(InputError):
    """A country code that esc cannot map to ISO3."""


class UnknownProductError(InputError):
    """An HS code that is not in the nomenclature of its revision."""


class CorruptFileError(InputError):
    """A truncated or unreadable archive or file."""


class UnknownReleaseError(EscError):
    """A release, year, revision or source name that does not exist."""


class DownloadError(EscError):
    """A download failed, or its size or checksum does not match."""


class DataNotFoundError(EscError):
    """A data file esc needs is not in the data folder or the cache; the message says how to
    get it."""
