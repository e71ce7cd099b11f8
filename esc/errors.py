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


class CacheWriteError(EscError):
    """The cache folder cannot be written (read-only folder, full disk, quota).

    Raised after every temporary file of the failed write is removed: the entries that were
    there before are left exactly as they were.
    """

    def __init__(self, message: str, *, path: str | Path | None = None) -> None:
        self.path = str(path) if path is not None else None
        super().__init__((f"{self.path}: " if self.path else "") + message)


class UnknownNameError(EscError):
    """A name given by the user that esc does not know; the message lists the known ones.

    The classes below say which kind of name it was. (``UnknownReleaseError`` used to cover all
    of them; catching it still catches every one.)
    """


class UnknownReleaseError(UnknownNameError):
    """A release, year or HS revision that does not exist in the data."""


class UnknownSourceError(UnknownReleaseError):
    """A data source name that is not registered (see :mod:`esc.source`)."""


class UnknownPresetError(UnknownReleaseError):
    """A vulnerability preset name that does not exist (see :mod:`esc.vulnerability`)."""


class UnknownNotebookError(UnknownReleaseError):
    """A notebook name or path that is not among the report's notebooks."""


class UnknownParameterError(UnknownReleaseError):
    """A report or notebook parameter (a sector, a year) that does not exist."""


class DownloadError(EscError):
    """A download failed, or its size or checksum does not match."""


class DataNotFoundError(EscError):
    """A data file esc needs is not in the data folder or the cache; the message says how to
    get it."""


def not_utf8(path: str | Path, raw: bytes, exc: UnicodeDecodeError) -> CorruptFileError:
    """A :class:`CorruptFileError` for text that is not UTF-8, naming the line of the bad byte.

    ``raw`` is the text as bytes (or its start, up to and past the bad byte).

    >>> raw = "year,country\\n2020,Fran\\xe7e\\n".encode("latin-1")
    >>> try:
    ...     raw.decode("utf-8")
    ... except UnicodeDecodeError as exc:
    ...     err = not_utf8("x.csv", raw, exc)
    >>> err.line, str(err).split(":")[0]
    (2, 'x.csv, line 2')
    """
    line = raw[: exc.start].count(b"\n") + 1
    byte = raw[exc.start : exc.start + 1].hex() or "??"
    return CorruptFileError(f"byte 0x{byte} is not UTF-8 text (the file looks Latin-1 or "
                            "Windows-1252 encoded); save it as UTF-8", path=path, line=line)
