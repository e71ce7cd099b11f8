"""CEPII BACI: bilateral trade flows for every country pair and HS6 product, 1995 onwards.

BACI reconciles what exporters and reporters declare to UN Comtrade into one value per flow.
CEPII publishes one zip per HS revision and release (``BACI_HS22_V202501.zip``), holding one
CSV per year (``BACI_HS22_Y2022_V202501.csv``, about 11 million rows) plus the release's
``country_codes_V202501.csv`` and ``product_codes_HS22_V202501.csv``. The yearly files have six
columns, and three of them need care:

==== ================================ ==========================================
``t`` year                            int
``i`` exporter, ``j`` importer        CEPII numeric code (India is 699, not 356)
``k`` HS6 product                     an integer: 010121 arrives as ``10121``
``v`` value                           **thousands** of current USD
``q`` quantity                        metric tonnes, padded with spaces, ``NA``
==== ================================ ==========================================

so the canonical table is ``value_usd = v * 1000``, ``hs6 = k`` zero-padded to 6 digits,
``quantity_t = q`` (NaN for ``NA``), exporter/importer mapped to ISO3 through the zip's own
country list when it has one (else :func:`esc.countries.iso3_from_numeric`), and ``hs_rev``
taken from the file name.

Reading strategy. A year is 11 M rows; a user asking for India's imports of 30 products should
not pay for a pandas frame of all of them. The reader streams each CSV with
:func:`pyarrow.csv.open_csv` in blocks of a few MB, converts and filters every block in Arrow,
and keeps only the matching rows. pyarrow is chosen over DuckDB's ``read_csv`` because it reads
the yearly CSV straight out of the zip member (DuckDB reads gzip but not zip members, so a
release would first have to be unpacked to disk: several GB) and because counting rows per
block gives the exact file line of a bad value for the error message. Years outside the
``years`` filter are skipped without being decompressed. The same stream feeds the cache
import (:func:`iter_tables`), which writes one Parquet file per year without ever holding a
year in memory.

Checks beyond the types, each naming the file (``zip:member``), line and column: ``t`` from
1962 to next year and equal to the year of the file name; ``v`` a number, finite, not negative
and at most :data:`esc.schema.MAX_FLOW_USD` once in dollars; ``q`` finite and not negative;
``k`` in the revision's code list (the zip's own ``product_codes`` file, else esc's HS tables;
where there is neither, codes of a chapter no revision has are counted in a warning); and no
(t, i, j, k) twice: each row's key is packed in one int64 and the keys of a year are sorted once
the year is read (8 bytes a row, three times that while sorting: about 270 MB for an
11-million-row year).
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import logging
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from esc import cache
from esc.countries import check_countries, iso3_from_numeric
from esc.download import download
from esc.errors import (
    BadValueError,
    CorruptFileError,
    DataNotFoundError,
    MissingColumnError,
    UnknownCountryError,
    UnknownProductError,
    UnknownReleaseError,
    not_utf8,
)
from esc.label import Label
from esc.schema import (
    EXPORTER,
    HS6,
    HS_REV,
    HS_REVISIONS,
    IMPORTER,
    QUANTITY,
    VALUE,
    YEAR,
    validate_flows,
    value_problem,
    year_problem,
)
from esc.source import (
    BaseSource,
    Query,
    Scan,
    check_years,
    first_line,
    is_zip,
    pick_release,
    zip_csv_members,
)
from esc.sources import hs as hs_tables
from esc.sources.hs import baci_country_codes, normalise_code

log = logging.getLogger(__name__)

PUBLISHER = "CEPII (Centre d'études prospectives et d'informations internationales)"
LICENCE = "CEPII BACI: Etalab Open Licence 2.0 (verify on the CEPII BACI page); cite CEPII"
PAGE = "https://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37"
BASE_URL = "https://www.cepii.fr/DATA_DOWNLOAD/baci/data/"
DEFAULT_RELEASE = "V202501"

RAW_COLUMNS: tuple[str, ...] = ("t", "i", "j", "k", "v", "q")
SCHEMA = pa.schema([(YEAR, pa.int16()), (EXPORTER, pa.string()), (IMPORTER, pa.string()),
                    (HS6, pa.string()), (HS_REV, pa.string()), (VALUE, pa.float64()),
                    (QUANTITY, pa.float64())])
"""Arrow schema of the canonical flows table as the BACI reader produces it."""

DEMO_RELEASE = "VDEMO"
"""Release name of the demo world written in BACI layout by
:func:`esc.sources.demo.write_baci_zip`; flows read from it are labelled as demo data."""
_FILE = re.compile(r"BACI_(HS\d{2})_Y(\d{4})_(V\d{6}[a-z]?|VDEMO)\.csv(?:\.gz)?",
                   re.IGNORECASE)
_RELEASE = re.compile(r"V(\d{4})(\d{2})([a-z]?)")
_REFERENCE_PREFIXES = ("country_codes", "product_codes", "readme")
_BLOCK = 8 << 20  # bytes of CSV per block (~250,000 BACI rows)
_FLOAT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


# --------------------------------------------------------------------------- names and URLs


def parse_filename(name: str | Path) -> tuple[str, int, str]:
    """``(hs_rev, year, release)`` from a CEPII yearly file name.

    >>> parse_filename("BACI_HS17_Y2022_V202501.csv")
    ('HS17', 2022, 'V202501')
    """
    match = _FILE.fullmatch(Path(name).name)
    if not match:
        raise BadValueError("not a CEPII BACI file name (expected BACI_HS22_Y2022_V202501.csv)",
                            path=str(name))
    hs, year, release = match.group(1).upper(), int(match.group(2)), match.group(3)
    return check_hs(hs), year, "V" + release[1:]


def is_baci_name(name: str | Path) -> bool:
    """Whether a file is named as CEPII names its yearly files (``BACI_HS22_Y2022_...``)."""
    return _FILE.fullmatch(Path(name).name) is not None


def check_hs(hs: str) -> str:
    """Check an HS revision name (``HS92`` ... ``HS22``); anything else is refused, so that a
    revision can safely become part of a file name.

    >>> check_hs("hs22")
    'HS22'
    """
    rev = str(hs).upper()
    if rev not in HS_REVISIONS:
        raise UnknownReleaseError(f"unknown HS revision {hs!r}: BACI is published in "
                                  f"{', '.join(HS_REVISIONS)}")
    return rev


_check_hs = check_hs  # the former private name, kept for existing callers


def check_release(release: str) -> str:
    """Check a CEPII release name (``V`` + year + month, optional letter: ``V202401b``).

    >>> check_release("V202501")
    'V202501'
    """
    if str(release).upper() == DEMO_RELEASE:
        return DEMO_RELEASE
    match = _RELEASE.fullmatch(str(release))
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 2000:
        raise UnknownReleaseError(f"malformed BACI release {release!r}: expected 'V' followed "
                                  "by year and month, like 'V202501'")
    return str(release)


def release_url(release: str = DEFAULT_RELEASE, hs: str = "HS22") -> str:
    """Download URL of a BACI release zip on the CEPII server.

    >>> release_url("V202501", "HS22")
    'https://www.cepii.fr/DATA_DOWNLOAD/baci/data/BACI_HS22_V202501.zip'
    """
    return f"{BASE_URL}BACI_{check_hs(hs)}_{check_release(release)}.zip"


# --------------------------------------------------------------------------- file layout


@dataclass
class _Member:
    label: str  # "file.zip:BACI_....csv" or the file path, for messages
    opener: Callable[[], AbstractContextManager[IO[bytes]]]
    year: int | None
    hs_rev: str | None
    release: str | None


@dataclass
class BaciFile:
    """What a BACI zip or CSV holds, read from its member names (no data decoded)."""

    path: Path
    kind: str  # "zip" or "csv"
    hs_rev: str | None
    release: str | None
    years: list[int] = field(default_factory=list)
    country_codes: dict[int, str] | None = None


def _members(path: Path) -> tuple[list[_Member], dict[int, str] | None]:
    if not path.is_file():
        raise CorruptFileError("file not found", path=path)
    if path.suffix.lower() == ".zip" or zipfile.is_zipfile(path):
        return _zip_members(path)
    opener: Callable[[], AbstractContextManager[IO[bytes]]]
    if path.suffix.lower() == ".gz":
        def opener() -> IO[bytes]:
            return gzip.open(path, "rb")  # type: ignore[return-value]
    else:
        def opener() -> IO[bytes]:
            return open(path, "rb")
    hs, year, release = _name_parts(path.name)
    return [_Member(str(path), opener, year, hs, release)], None


def _name_parts(name: str) -> tuple[str | None, int | None, str | None]:
    try:
        return parse_filename(name)
    except BadValueError:
        return None, None, None


def _zip_members(path: Path) -> tuple[list[_Member], dict[int, str] | None]:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise CorruptFileError(f"truncated or not a zip archive ({exc})", path=path) from exc
    with zf:
        names = zf.namelist()
    data = [n for n in names if n.lower().endswith(".csv")
            and not Path(n).name.lower().startswith(_REFERENCE_PREFIXES)]
    if not data:
        raise MissingColumnError("zip holds no BACI yearly CSV (BACI_HS.._Y...._V......csv)",
                                 path=path)
    table = baci_country_codes(path) if any(
        Path(n).name.startswith("country_codes") for n in names) else None
    members = []
    for name in sorted(data):
        hs, year, release = _name_parts(name)

        @contextlib.contextmanager
        def opener(name: str = name) -> Iterator[IO[bytes]]:
            with zipfile.ZipFile(path) as archive, archive.open(name) as fh:
                yield fh

        members.append(_Member(f"{path}:{name}", opener, year, hs, release))
    return members, table


def inspect(path: str | Path, *, hs_rev: str | None = None) -> BaciFile:
    """Describe a BACI zip or CSV from its names: revision, release, years (no data read)."""
    file = Path(path)
    members, table = _members(file)
    revs = {m.hs_rev for m in members if m.hs_rev}
    releases = {m.release for m in members if m.release}
    if len(revs) > 1:
        raise BadValueError(f"zip mixes HS revisions {sorted(revs)}", path=file)
    rev = check_hs(hs_rev) if hs_rev else (revs.pop() if revs else None)
    release = releases.pop() if len(releases) == 1 else None
    kind = "zip" if zipfile.is_zipfile(file) else "csv"
    years = sorted({m.year for m in members if m.year is not None})
    return BaciFile(file, kind, rev, release, years, table)


# --------------------------------------------------------------------------- conversion


def _check_header(member: _Member) -> None:
    try:
        with member.opener() as fh:
            raw = fh.readline()
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise CorruptFileError(f"cannot read ({exc})", path=member.label) from exc
    try:
        first = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise not_utf8(member.label, raw, exc) from None
    header = next(csv.reader([first]), [])
    for col in RAW_COLUMNS:
        if col not in [h.strip() for h in header]:
            raise MissingColumnError(f"required BACI column is missing (header: {header})",
                                     path=member.label, line=1, column=col)


def _first_false(mask: pa.Array) -> int | None:
    filled = pc.fill_null(mask, False)
    if pc.all(filled).as_py():
        return None
    return int(pc.index(filled, False).as_py())


class _Block:
    """One block of a yearly CSV, with the file line of its first row (for messages)."""

    def __init__(self, batch: pa.RecordBatch, label: str, first_line: int) -> None:
        self.batch, self.label, self.first_line = batch, label, first_line

    def fail(self, cls: type[Exception], message: str, pos: int, column: str) -> Exception:
        return cls(message, path=self.label, line=self.first_line + pos, column=column)

    def typed(self, column: str) -> pa.Array:
        """A column Arrow already parsed as a number; an empty field is an error."""
        arr = self.batch.column(column)
        if arr.null_count:
            pos = int(pc.index(pc.is_null(arr), True).as_py())
            raise self.fail(BadValueError, "value is empty", pos, column)
        return arr

    def quantities(self) -> pa.Array:
        """``q``: tonnes as text padded with spaces, ``NA`` when CEPII has no quantity."""
        arr = pc.utf8_trim_whitespace(self.batch.column("q"))
        arr = pc.if_else(pc.is_in(arr, pa.array(["NA", ""])), pa.scalar(None, pa.string()), arr)
        try:
            return pc.cast(arr, pa.float64())
        except pa.ArrowInvalid as exc:
            self.check_text("q", _FLOAT, "is not numeric", na=True)
            raise CorruptFileError(f"cannot parse quantities: {exc}", path=self.label) from exc

    def products(self) -> pa.Array:
        """``k`` parsed as an integer (CEPII drops the leading zero) -> 6-digit string."""
        k = self.typed("k")
        bad = _first_false(pc.and_(pc.greater_equal(k, 0), pc.less_equal(k, 999_999)))
        if bad is not None:
            raise self.fail(BadValueError, f"HS code {k[bad].as_py()!r} is not a 6-digit "
                            "product code", bad, "k")
        return pc.utf8_lpad(pc.cast(k, pa.string()), 6, "0")

    def check_text(self, column: str, pattern: re.Pattern[str], what: str, *,
                   na: bool = False) -> None:
        """Slow path: find the first value of a text column that does not match ``pattern``."""
        arr = pc.utf8_trim_whitespace(pc.cast(self.batch.column(column), pa.string()))
        ok = pc.match_substring_regex(arr, f"^(?:{pattern.pattern})$")
        if na:
            ok = pc.or_(ok, pc.is_in(arr, pa.array(["NA", ""])))
        bad = _first_false(ok)
        if bad is not None:
            raise self.fail(BadValueError, f"value {arr[bad].as_py()!r} {what}", bad, column)


class _Countries:
    """Numeric code -> ISO3, resolved once per distinct code and reused across blocks."""

    def __init__(self, table: dict[int, str] | None) -> None:
        self.table = table or {}
        self.resolved: dict[int, str] = {}

    def map(self, codes: pa.Array, block: _Block, column: str) -> pa.Array:
        for code in pc.unique(codes).to_pylist():
            if code in self.resolved:
                continue
            iso = self.table.get(code)
            if iso is None:
                try:
                    iso = iso3_from_numeric(pd.Series([code])).iloc[0]
                except UnknownCountryError:
                    pos = int(pc.index(codes, code).as_py())
                    raise block.fail(UnknownCountryError, f"unknown country code {code}", pos,
                                     column) from None
            self.resolved[code] = iso
        keys = pa.array(list(self.resolved), pa.int64())
        return pc.take(pa.array(list(self.resolved.values()), pa.string()),
                       pc.index_in(codes, value_set=keys))


@dataclass
class _Filters:
    years: set[int] | None = None
    reporters: list[str] | None = None
    exporters: list[str] | None = None
    hs6: list[str] | None = None

    def mask(self, table: pa.Table) -> pa.Array | None:
        parts = []
        if self.years is not None:
            parts.append(pc.is_in(table[YEAR], pa.array(sorted(self.years), pa.int16())))
        for col, values in ((IMPORTER, self.reporters), (EXPORTER, self.exporters),
                            (HS6, self.hs6)):
            if values is not None:
                parts.append(pc.is_in(table[col], pa.array(values, pa.string())))
        if not parts:
            return None
        mask = parts[0]
        for part in parts[1:]:
            mask = pc.and_(mask, part)
        return mask


def make_filters(
    years: Iterable[int] | None = None,
    reporters: Iterable[str] | None = None,
    exporters: Iterable[str] | None = None,
    hs6: Iterable[str | int] | None = None,
) -> _Filters:
    """Normalise user filters: ISO3 upper-case and checked, HS codes zero-padded 6 digits."""
    codes = None
    if hs6 is not None:
        codes = [normalise_code(c) for c in hs6]
        short = [c for c in codes if len(c) != 6]
        if short:
            raise BadValueError(f"hs6 filter takes 6-digit codes, got {short[0]!r}")
    return _Filters(
        years={int(y) for y in years} if years is not None else None,
        reporters=check_countries(list(reporters), what="importer") if reporters is not None
        else None,
        exporters=check_countries(list(exporters), what="exporter") if exporters is not None
        else None,
        hs6=codes,
    )


_TYPES: dict[str, pa.DataType] = {"t": pa.int32(), "i": pa.int64(), "j": pa.int64(),
                                  "k": pa.int64(), "v": pa.float64(), "q": pa.string()}
_TEXT_CHECKS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("t", re.compile(r"-?\d{1,9}"), "is not an integer year"),
    ("i", re.compile(r"\d{1,9}"), "is not a numeric country code"),
    ("j", re.compile(r"\d{1,9}"), "is not a numeric country code"),
    ("k", re.compile(r"\d{1,6}"), "is not a 6-digit product code"),
    ("v", _FLOAT, "is not numeric"),
    ("q", _FLOAT, "is not numeric"),
)


class _TypeProblem(Exception):
    """Arrow could not parse a value as the column's type (the slow path locates it)."""


class _Checks:
    """What one member's rows are checked against beyond their types.

    ``year``: the year its file name says (``Y2021``), or ``None``; ``products``: the HS6 codes
    of the revision (a BACI zip's own ``product_codes`` file, else the HS tables esc finds),
    or ``None`` when esc has no list for the revision; ``keys`` collects one integer per row
    (t, i, j, k packed) so that a repeated flow is found once the member is read.
    """

    def __init__(self, year: int | None, products: frozenset[str] | None, rev: str,
                 products_from: str) -> None:
        self.year, self.products, self.rev, self.products_from = year, products, rev, \
            products_from
        self.product_array = None if products is None else pa.array(sorted(products),
                                                                    pa.string())
        self.keys: list[np.ndarray] = []
        self.unchecked: list[int] = []  # lines of codes whose chapter does not exist
        self.unchecked_codes: list[str] = []


def _check_years(block: _Block, years: pa.Array, checks: _Checks) -> None:
    arr = years.to_numpy(zero_copy_only=False)
    problem = year_problem(arr)
    if problem is not None:
        raise block.fail(BadValueError, problem[1], problem[0], "t")
    if checks.year is not None:
        bad = np.flatnonzero(arr != checks.year)
        if bad.size:
            raise block.fail(BadValueError, f"year {int(arr[bad[0]])} does not match the file "
                             f"name, which says Y{checks.year}", int(bad[0]), "t")


def _check_value(block: _Block, column: str, arr: pa.Array, **kwargs: object) -> None:
    problem = value_problem(arr.to_numpy(zero_copy_only=False), **kwargs)  # type: ignore[arg-type]
    if problem is not None:
        raise block.fail(BadValueError, problem[1], problem[0], column)


def _check_products(block: _Block, codes: pa.Array, checks: _Checks) -> None:
    if checks.product_array is not None:
        bad = _first_false(pc.is_in(codes, value_set=checks.product_array))
        if bad is not None:
            raise block.fail(UnknownProductError, f"HS code {codes[bad].as_py()!r} is not in "
                             f"the {checks.rev} nomenclature ({checks.products_from})", bad, "k")
        return
    chapters = pc.utf8_slice_codeunits(codes, 0, 2)
    ok = pc.is_in(chapters, value_set=pa.array(sorted(hs_tables.HS_CHAPTERS), pa.string()))
    bad = np.flatnonzero(~np.asarray(pc.fill_null(ok, False)))
    checks.unchecked += [block.first_line + int(b) for b in bad]
    checks.unchecked_codes += [codes[int(b)].as_py() for b in bad[:3]]


_MAX_CODE = 10_000  # CEPII country codes have at most 3 digits; 4 leave room


def _collect_keys(block: _Block, t: pa.Array, i: pa.Array, j: pa.Array, k: pa.Array,
                  checks: _Checks) -> None:
    """Pack (t, i, j, k) into one int64 per row: ((t-1900)*1e4 + i)*1e4 + j)*1e6 + k."""
    ti, tj = i.to_numpy(zero_copy_only=False), j.to_numpy(zero_copy_only=False)
    for column, arr in (("i", ti), ("j", tj)):
        bad = np.flatnonzero((arr < 0) | (arr >= _MAX_CODE))
        if bad.size:
            raise block.fail(UnknownCountryError, f"country code {int(arr[bad[0]])} is not a "
                             "CEPII code (at most 4 digits)", int(bad[0]), column)
    key = t.to_numpy(zero_copy_only=False).astype(np.int64) - 1900
    key = ((key * _MAX_CODE + ti) * _MAX_CODE + tj) * 1_000_000 + k.to_numpy(
        zero_copy_only=False)
    checks.keys.append(key.astype(np.int64))


def _check_duplicates(label: str, checks: _Checks) -> None:
    """Raise naming both lines when two rows of a member hold the same (t, i, j, k)."""
    if not checks.keys:
        return
    keys = np.concatenate(checks.keys)
    checks.keys = []
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    same = np.flatnonzero(ordered[1:] == ordered[:-1])
    del ordered
    if not same.size:
        return
    later = order[same + 1]
    pick = int(np.argmin(later))
    first, second = int(order[same[pick]]) + 2, int(later[pick]) + 2
    key = int(keys[later[pick]])
    k, rest = key % 1_000_000, key // 1_000_000
    j, rest = rest % _MAX_CODE, rest // _MAX_CODE
    i, t = rest % _MAX_CODE, rest // _MAX_CODE + 1900
    raise BadValueError(f"lines {first} and {second} hold the same flow (t={t}, i={i}, j={j}, "
                        f"k={k}); BACI has one row per flow, so the file is damaged or was "
                        f"edited ({int(same.size)} repeated rows in all)", path=label,
                        line=second)


def _warn_unchecked(label: str, checks: _Checks) -> None:
    if checks.products is None and checks.unchecked:
        lines = ", ".join(str(n) for n in checks.unchecked[:10])
        more = "" if len(checks.unchecked) <= 10 else ", ..."
        log.warning("%s: %d rows have HS codes whose chapter does not exist in any HS "
                    "revision (e.g. %s; lines %s%s); esc has no %s code list to check the "
                    "codes one by one", label, len(checks.unchecked),
                    ", ".join(repr(c) for c in checks.unchecked_codes), lines, more, checks.rev)
    checks.unchecked, checks.unchecked_codes = [], []


def _convert(block: _Block, hs_rev: str, countries: _Countries, checks: _Checks) -> pa.Table:
    t = block.typed("t")
    _check_years(block, t, checks)
    value = block.typed("v")
    _check_value(block, "v", value, scale=1000.0)
    quantity = block.quantities()
    _check_value(block, "q", quantity, what="quantity", missing_ok=True, bound=None)
    i, j = block.typed("i"), block.typed("j")
    products = block.products()
    _check_products(block, products, checks)
    exporter, importer = countries.map(i, block, "i"), countries.map(j, block, "j")
    _collect_keys(block, t, i, j, block.typed("k"), checks)
    n = block.batch.num_rows
    return pa.table({
        YEAR: pc.cast(t, pa.int16()),
        EXPORTER: exporter,
        IMPORTER: importer,
        HS6: products,
        HS_REV: pa.array([hs_rev] * n, pa.string()),
        VALUE: pc.multiply(value, 1000.0),
        QUANTITY: quantity,
    }, schema=SCHEMA)


def _stream(member: _Member, *, typed: bool = True) -> Iterator[pa.RecordBatch]:
    _check_header(member)
    read = pacsv.ReadOptions(block_size=_BLOCK)
    types = _TYPES if typed else dict.fromkeys(RAW_COLUMNS, pa.string())
    convert = pacsv.ConvertOptions(column_types=types, include_columns=list(RAW_COLUMNS),
                                   strings_can_be_null=False, null_values=[""])
    # an empty line stays a row (of empty values, an error) so that row n is file line n + 2
    parse = pacsv.ParseOptions(ignore_empty_lines=False)
    try:
        with member.opener() as fh:
            yield from pacsv.open_csv(fh, read_options=read, convert_options=convert,
                                      parse_options=parse)
    except pa.ArrowInvalid as exc:
        if typed and "conversion error" in str(exc):
            raise _TypeProblem(str(exc)) from exc
        raise CorruptFileError(f"cannot parse CSV: {exc}", path=member.label) from exc
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise CorruptFileError(f"truncated or corrupt ({exc})", path=member.label) from exc


def _pinpoint(member: _Member, problem: _TypeProblem) -> None:
    """Re-read a member as text to name the line and column Arrow could not parse."""
    line = 2
    for batch in _stream(member, typed=False):
        block = _Block(batch, member.label, line)
        line += batch.num_rows
        for column, pattern, what in _TEXT_CHECKS:
            block.check_text(column, pattern, what, na=column == "q")
    raise CorruptFileError(f"cannot parse CSV: {problem}", path=member.label)


def _member_tables(member: _Member, rev: str, countries: _Countries, checks: _Checks
                   ) -> Iterator[pa.Table]:
    line = 2
    try:
        for batch in _stream(member):
            block = _Block(batch, member.label, line)
            line += batch.num_rows
            yield _convert(block, rev, countries, checks)
    except _TypeProblem as problem:
        _pinpoint(member, problem)
    _check_duplicates(member.label, checks)
    _warn_unchecked(member.label, checks)


def product_codes(path: str | Path, rev: str) -> tuple[frozenset[str] | None, str]:
    """The HS6 codes a BACI file is checked against, and where they come from.

    A release zip's own ``product_codes_<rev>_<release>.csv`` first; else the HS tables esc
    finds for ``rev`` (:func:`esc.sources.hs.nomenclature`); ``(None, reason)`` when there is
    neither (the rows are then only checked for a chapter that exists).
    """
    file = Path(path)
    if zipfile.is_zipfile(file):
        with contextlib.suppress(zipfile.BadZipFile, OSError):
            with zipfile.ZipFile(file) as zf:
                names = [n for n in zf.namelist()
                         if Path(n).name.lower().startswith("product_codes")]
            if names:
                table = hs_tables.nomenclature_from_zip(file, names[0])
                return frozenset(table[HS6]), f"{file.name}:{names[0]}"
    try:
        return frozenset(hs_tables.nomenclature(rev)[HS6]), f"esc's {rev} table"
    except (DataNotFoundError, UnknownReleaseError) as exc:
        log.debug("no %s code list: %s", rev, exc)
        return None, "none"


def iter_tables(
    path: str | Path,
    *,
    years: Iterable[int] | None = None,
    reporters: Iterable[str] | None = None,
    exporters: Iterable[str] | None = None,
    hs6: Iterable[str | int] | None = None,
    country_codes: dict[int, str] | str | Path | None = None,
    hs_rev: str | None = None,
) -> Iterator[pa.Table]:
    """Stream a BACI zip or CSV as canonical Arrow tables (one per block), filtered.

    Same arguments as :func:`read`. Each yielded table has the schema :data:`SCHEMA`. Raises
    :class:`~esc.errors.UnknownReleaseError` when ``years`` names no year the file holds.
    """
    info = inspect(path, hs_rev=hs_rev)
    rev = info.hs_rev
    if rev is None:
        raise BadValueError("cannot tell the HS revision from the file name; name it as CEPII "
                            "does (BACI_HS92_Y2021_V202301.csv) or pass hs_rev='HS92'",
                            path=path)
    filters = make_filters(years, reporters, exporters, hs6)
    table = (baci_country_codes(country_codes) if isinstance(country_codes, str | Path)
             else country_codes if country_codes is not None else info.country_codes)
    countries = _Countries(table)
    members, _ = _members(info.path)
    known, known_from = product_codes(info.path, rev)
    seen: set[int] = set()
    for member in members:
        if filters.years is not None and member.year is not None \
                and member.year not in filters.years:
            seen.add(member.year)
            continue
        checks = _Checks(member.year, known, rev, known_from)
        for out in _member_tables(member, rev, countries, checks):
            seen.update(pc.unique(out[YEAR]).to_pylist())
            mask = filters.mask(out)
            yield out if mask is None else out.filter(mask)
    if filters.years is not None and not filters.years & seen:
        raise UnknownReleaseError(f"{path}: no data for year(s) {sorted(filters.years)}; the "
                                  f"file holds {sorted(seen) or 'no rows'}")


def read(
    path: str | Path,
    *,
    years: Iterable[int] | None = None,
    reporters: Iterable[str] | None = None,
    exporters: Iterable[str] | None = None,
    hs6: Iterable[str | int] | None = None,
    country_codes: dict[int, str] | str | Path | None = None,
    hs_rev: str | None = None,
) -> pd.DataFrame:
    """Read a BACI release zip or yearly CSV (plain or ``.gz``) into the canonical flows table.

    ``value_usd = v * 1000`` (BACI values are thousands of USD), ``quantity_t = q`` (tonnes,
    NaN for ``NA``), ``hs6 = k`` zero-padded to 6 digits, ``hs_rev`` from the file name (or
    ``hs_rev=`` for a file not named as CEPII names it). Filters are applied block by block
    while reading; years outside ``years`` are not decompressed. ``country_codes`` overrides
    the zip's own country list (a dict or a ``country_codes_*.csv``).

    Errors name the file (``zip:member``), line and column: :class:`~esc.errors.BadValueError`
    for a non-numeric value, :class:`~esc.errors.UnknownCountryError`,
    :class:`~esc.errors.MissingColumnError`, :class:`~esc.errors.CorruptFileError` for a
    truncated archive.
    """
    tables = list(iter_tables(path, years=years, reporters=reporters, exporters=exporters,
                              hs6=hs6, country_codes=country_codes, hs_rev=hs_rev))
    table = pa.concat_tables(tables) if tables else SCHEMA.empty_table()
    log.info("read %d BACI rows from %s", table.num_rows, path)
    return validate_flows(table.to_pandas(), source=str(path), product=HS6)


class BaciSource(BaseSource):
    """CEPII BACI as a source: release zips fetched or imported into the cache, one Parquet
    file per (release, HS revision, year), read with filters pushed into the scan."""

    name = "baci"
    title = "CEPII BACI"
    publisher = PUBLISHER
    licence = LICENCE
    page = PAGE
    hs_revisions = HS_REVISIONS
    raw_folders = ("baci-example-zaf-afg",)

    def label(self, release: str | None = None) -> Label:
        """CEPII BACI ``release`` (default: the newest cached); release ``VDEMO`` is esc's
        demo world written in BACI's layout, so its tables are labelled demo."""
        if release is None:
            found = cache.entries(self.name)
            release = pick_release(found, None, "BACI") if found else None
        demo = (release or "").upper() == DEMO_RELEASE
        return Label(source=self.name, title=self.title, demo=demo, release=release)

    def load(self, query: Query) -> pd.DataFrame:
        """The cached release's flows (newest release unless ``query.release``; the newest HS
        revision covering the years unless ``query.hs``)."""
        self.check_level(query)
        rel, rev, found = self._entries(query)
        years = check_years(query.years, _years_of(found, rev), f"BACI {rel} {rev}")
        files = [e["path_parquet"] for e in found if e.get(HS_REV) == rev
                 and (years is None or set(e.get("years", [])) & set(years))]
        flows = cache.read(files, years=years, reporters=query.reporters,
                           exporters=query.exporters, products=query.products, product=HS6)
        return self.finish(flows, rel, hs_rev=rev)

    def scan(self, query: Query) -> Scan:
        """The Parquet files of the release and revision :meth:`load` would read (every year
        of that revision: the caller filters years in its SQL)."""
        rel, rev, found = self._entries(query)
        files = tuple(e["path_parquet"] for e in found if e.get(HS_REV) == rev)
        label = replace(self.label(rel), hs_rev=rev)
        return Scan(files, label, rev, tuple(sorted(_years_of(found, rev))))

    def _entries(self, query: Query) -> tuple[str, str, list[dict]]:
        """(release, HS revision, that release's cache entries) a query reads."""
        found = cache.entries(self.name)
        if not found:
            raise DataNotFoundError("no BACI release in the cache: run `esc data fetch baci` "
                                    "(downloads the CEPII zip, 1-2 GB) or `esc data import "
                                    "BACI_HS22_V202501.zip`")
        rel = pick_release(found, query.release, "BACI")
        found = [e for e in found if e["release"] == rel]
        return rel, _revision(found, rel, query), found

    def fetch(self, *, release: str | None = None, hs: str | None = None,
              url: str | None = None, sha256: str | None = None,
              progress: bool = True) -> Path:
        """Download the CEPII release zip (default ``V202501``, ``HS22``) into
        ``<cache>/downloads/baci/`` (resuming a partial download) and import it."""
        rel = check_release(release or DEFAULT_RELEASE)
        rev = check_hs(hs or "HS22")  # before any path is built from it
        link = url or release_url(rel, rev)
        dest = cache.download_path(self.name, f"BACI_{rev}_{rel}.zip")
        zipped = download(link, dest, sha256=sha256, progress=progress)
        return self.import_file(zipped, release=rel, hs=rev, url=link)

    def recognises(self, path: Path) -> bool:
        """A zip holding ``BACI_*.csv`` (or one CSV with BACI's header ``t,i,j,k,v,q``), or a
        CSV with that header or a CEPII file name."""
        if path.suffix.lower() == ".json":
            return False
        if is_zip(path):
            csvs, header = zip_csv_members(path)
            return (any(Path(n).name.startswith("BACI_") for n in csvs)
                    or (len(csvs) == 1 and _baci_header(header)))
        return _baci_header(first_line(path)) or is_baci_name(path.name)

    def import_file(self, path: Path, *, release: str | None = None, hs: str | None = None,
                    url: str | None = None) -> Path:
        """Validate every row, then write one cache entry per year (nothing on error)."""
        info = inspect(path, hs_rev=hs)
        if (release or info.release) is None:
            raise BadValueError("cannot tell the BACI release from the file name; pass "
                                "release='V202301' (esc data import --release)", path=path)
        rel = check_release(release or info.release or "")
        if info.hs_rev is None:
            raise BadValueError("cannot tell the HS revision from the file name; pass "
                                "hs='HS92'", path=path)
        rev = info.hs_rev
        staged = cache.stage_by_year(iter_tables(path, hs_rev=rev), self.name, rel,
                                     lambda y: f"{rev}_Y{y}", schema=SCHEMA)
        try:
            if not staged:
                raise BadValueError("the file holds no rows", path=path)
            base = cache.make_provenance(source=self.name, release=rel, name="",
                                         input_path=path, url=url, licence=LICENCE)
            for year, entry in sorted(staged.items()):
                entry.commit(dict(base, name=f"{rev}_Y{year}", hs_rev=rev, year=year,
                                  publisher=PUBLISHER), product=HS6,
                             order_by=cache.flow_order(SCHEMA.names))
        finally:
            for entry in staged.values():
                entry.discard()
        return cache.release_dir(self.name, rel)


def _baci_header(header: str) -> bool:
    """Whether a CSV header line holds BACI's columns ``t,i,j,k,v,q`` (quoted or not)."""
    return set(RAW_COLUMNS) <= {c.strip().strip('"') for c in header.split(",")}


def _years_of(found: list[dict], rev: str) -> set[int]:
    return {int(y) for e in found if e.get(HS_REV, "?") == rev for y in e.get("years", [])}


def _revision(found: list[dict], release: str, query: Query) -> str:
    """The HS revision to read: ``query.hs``, else the newest covering the wanted years."""
    revs = {e.get(HS_REV, "?") for e in found}
    if query.hs is not None:
        rev = query.hs.upper()
        if rev not in revs:
            raise UnknownReleaseError(f"BACI {release} has no {rev} tables in the cache; "
                                      f"cached: {', '.join(sorted(revs))}")
        return rev
    order = sorted(revs, key=lambda r: HS_REVISIONS.index(r) if r in HS_REVISIONS else -1,
                   reverse=True)
    wanted = set(query.years or ())
    return next((r for r in order if wanted <= _years_of(found, r)), order[0])


SOURCE = BaciSource()
