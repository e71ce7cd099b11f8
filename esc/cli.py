"""The ``esc`` command line.

    esc data list | fetch SOURCE | import PATH
    esc dependence --reporter IND --year 2022 --source wits-india --format table
    esc screen --reporter IND --reporter JPN --year 2023 --summary unlisted
    esc pci --exports FILE --format csv
    esc scenario --reporter IND --supplier CHN --year 2023 [--redirect 0.1] [--control ID]
    esc controls
    esc sectors [--sector Batteries]
    esc alternatives --reporter IND --hs6 850760 --year 2023
    esc complementarity --exporter IND --reporter JPN --year 2023
    esc initiatives --sector "Clean energy"
    esc trend --reporter IND --hs6 850760 --years 2019-2023 [--chart FILE.png]
    esc report --year 2023 --out reports

Exit codes: 0 success, 1 a report notebook failed, 2 bad input or missing data (the message
names the file and place).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from esc import (
    __version__,
    analysis,
    charts,
    complementarity,
    complexity,
    controls,
    data,
    display,
    india,
    initiative_sources,
    registry,
    report,
    scenarios,
    schema,
    screen,
    source,
    study,
    trend,
)
from esc.countries import partner_groups
from esc.errors import (
    BadValueError,
    CorruptFileError,
    DataNotFoundError,
    EscError,
    MissingColumnError,
    UnknownReleaseError,
    not_utf8,
)
from esc.label import label_of
from esc.sources.dgcis import IndiaSource

log = logging.getLogger("esc")


def _india_sources() -> tuple[str, ...]:
    """India's own statistics (DGCI&S): ``esc dependence`` only, through :mod:`esc.india`."""
    return tuple(s.name for s in source.all_sources() if isinstance(s, IndiaSource))


def _hs_sources() -> tuple[str, ...]:
    """The registered sources of HS trade flows: what every analysis command reads."""
    return tuple(n for n in source.names() if n not in _india_sources())


def _emit(df: pd.DataFrame, args: argparse.Namespace, *, out=None) -> None:
    """Write a table as csv, json or a terminal table; every format carries the label.

    The terminal table is written for people (:func:`esc.display.render`: USD million,
    percent, at most 120 columns unless ``--wide``); csv and json keep full precision and
    machine units. ``--output FILE`` (.csv, .xlsx, .parquet) also saves the full table, with
    its label, and says where.
    """
    out = out or sys.stdout
    fmt = getattr(args, "format", "table")
    if fmt == "csv":
        display.with_label_column(df).to_csv(out, index=False, float_format="%.12g")
    elif fmt == "json":
        found = label_of(df)
        payload = {"label": found.text if found else None, "source": df.attrs.get("source"),
                   "data": found.as_dict() if found else None,
                   "rows": json.loads(df.to_json(orient="records", double_precision=12))}
        out.write(json.dumps(payload, indent=1) + "\n")
    else:
        out.write(display.render(df, wide=getattr(args, "wide", False)))
    if getattr(args, "output", None):
        path = display.write_file(df, args.output)
        print(f"# table written to {path}", file=sys.stderr)


def _add_format(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=("table", "csv", "json"), default="table",
                   help="output format (default: table, written for people; csv and json "
                   "keep full precision)")
    p.add_argument("--wide", action="store_true",
                   help="terminal table: every column, however wide (default: fit 120 columns)")
    p.add_argument("--output", metavar="FILE",
                   help="also save the full table to FILE (.csv, .xlsx or .parquet), with its "
                   "data label")


def _cmd_data(args: argparse.Namespace) -> int:
    if args.data_cmd == "list":
        listing = data.list_available()
        if args.format == "table":  # the full provenance records are in csv and json
            listing = listing.drop(columns=["provenance"])
        _emit(listing, args)
    elif args.data_cmd == "fetch":
        path = data.fetch(args.source, release=args.release, hs=args.hs, url=args.url,
                          sha256=args.sha256, progress=not args.no_progress)
        print(f"fetched {args.source} -> {path}")
    elif args.data_cmd == "import":
        for p in args.paths:
            path = data.import_file(p, release=args.release, hs=args.hs, url=args.url)
            print(f"imported {p} -> {path}")
    return 0


def _cmd_dependence(args: argparse.Namespace) -> int:
    if args.source in _india_sources():
        return _dependence_india(args)
    level = study.product_level(args.source)
    if args.level and args.level != level:
        raise UnknownReleaseError(f"source {args.source!r} is at level {level}, not {args.level}")
    groups = _groups(args.groups)
    table = study.overview(source=args.source, reporters=args.reporter or ["IND"],
                                   year=args.year, sector=args.sector, preset=args.preset,
                                   merge_hk=args.merge_hk, hhi_cut=args.hhi_cut,
                                   pci_cut=args.pci_cut, groups=groups)
    table = table[table["year"] == args.year]
    shares = None
    if args.format != "table":  # every group's share in the machine-readable formats
        shares = [c for c in table.columns
                  if c.startswith(schema.SHARE_PREFIX) and c != schema.SHARE_CHN]
    cols = schema.dependence_columns(level, groups=shares)
    _emit(_keep_attrs(table, table[[c for c in cols if c in table.columns]]), args)
    print(f"# {table.attrs['scope']}", file=sys.stderr)
    return 0


def _dependence_india(args: argparse.Namespace) -> int:
    """``esc dependence --source dgcis|meidb``: per principal commodity (fiscal year starting
    in --year) or per HS6 line (calendar --year); see :func:`esc.india.dependence`."""
    table = study.india_dependence(args.source, year=args.year, reporters=args.reporter,
                                         sector=args.sector, merge_hk=args.merge_hk,
                                         groups=_groups(args.groups), preset=args.preset,
                                         hhi_cut=args.hhi_cut, pci_cut=args.pci_cut)
    if args.level and args.level != table.attrs["product"]:
        raise UnknownReleaseError(f"source {args.source!r} is at level "
                                  f"{table.attrs['product']}, not {args.level}")
    _emit(india.cli_table(table, full=args.format != "table"), args)
    return 0


def _keep_attrs(src: pd.DataFrame, dst: pd.DataFrame) -> pd.DataFrame:
    dst = dst.reset_index(drop=True)
    dst.attrs.update(src.attrs)
    return dst


def _cmd_pci(args: argparse.Namespace) -> int:
    path = Path(args.exports)
    table = _read_user_csv(path, "exports table (year, country, product, value)",
                           dtype={args.product_col: str})
    roles = {"time": args.year_col, "loc": args.country_col, "prod": args.product_col,
             "val": args.value_col}
    for role, col in roles.items():
        if col not in table.columns:
            raise MissingColumnError(f"no {role} column (set --{role}-col)", path=path,
                                     line=1, column=col)
    _numeric_columns(table, path, [args.year_col, args.value_col])
    result = complexity.complexity(table, roles=roles, presence=args.presence)
    pci = result.pci.assign(kind="product").rename(columns={"product": "code", "pci": "value"})
    eci = result.eci.assign(kind="country").rename(columns={"country": "code", "eci": "value"})
    out = pd.concat([pci, eci], ignore_index=True)[["year", "kind", "code", "value"]]
    out.attrs["label"] = f"computed by esc from {path.name}"
    _emit(out, args)
    return 0


def _read_user_csv(path: Path, what: str, **kwargs) -> pd.DataFrame:
    """A CSV the user names on the command line, or an :class:`~esc.errors.EscError` naming
    the file and line: missing, empty, not UTF-8, unparsable. Row ``n`` is file line ``n + 2``
    (blank lines are read and then dropped, so that the numbering stays that of the file)."""
    import io


    if not path.is_file():
        raise DataNotFoundError(f"{path}: no such file (the {what})")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise not_utf8(path, raw, exc) from None
    if not text.strip():
        raise CorruptFileError(f"the file is empty; expected the {what} with a header line",
                               path=path, line=1)
    try:
        table = pd.read_csv(io.StringIO(text), skip_blank_lines=False, **kwargs)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise CorruptFileError(f"cannot read it as CSV ({exc})", path=path) from None
    return table.dropna(how="all")


def _numeric_columns(table: pd.DataFrame, path: Path, columns: Sequence[str]) -> None:
    """Every value of ``columns`` must be a number; name the first that is not."""
    for col in columns:
        values = pd.to_numeric(table[col], errors="coerce")
        bad = values.isna()
        if bad.any():
            idx = bad[bad].index[0]
            raise BadValueError(f"value {table[col].loc[idx]!r} is not a number", path=path,
                                line=int(idx) + 2, column=col)


def _groups(path: str | None) -> dict[str, frozenset[str]]:
    """Partner groups from ``--groups`` (or $ESC_GROUPS_FILE), the file checked first."""
    import os


    named = path or os.environ.get("ESC_GROUPS_FILE")
    if named:
        _read_user_csv(Path(named), "partner groups file (group, iso3, source)", dtype=str)
    return partner_groups(path)


def _cmd_scenario(args: argparse.Namespace) -> int:
    groups = _groups(args.groups)  # a bad groups file is refused before any data is read
    res = study.scenario(args.source, reporter=args.reporter, year=args.year,
                         supplier=args.supplier, control=args.control, sector=args.sector,
                         merge_hk=args.merge_hk, groups=groups, shared=args.shared,
                         replacement="trusted" if args.trusted else "all",
                         redirect=scenarios.DEFAULT_REDIRECT if args.redirect is None
                         else args.redirect)
    _emit_assumed(res, args)
    return 0


def _emit_assumed(df: pd.DataFrame, args: argparse.Namespace) -> None:
    """:func:`_emit` plus the assumption a scenario rests on (a column in csv/json)."""
    note = df.attrs.get("assumption")
    fmt = args.format
    if note and fmt != "table":
        df = _keep_attrs(df, df.assign(assumption=note))
    _emit(df, args)
    if note and fmt == "table":
        sys.stdout.write(display.note(f"year {df.attrs.get('year')}; assumption: {note}"))


def _cmd_sectors(args: argparse.Namespace) -> int:
    """The sector registry: sectors, priority products and their HS2022 codes."""
    reg = registry.load_registry()
    reg = reg[reg["hs_rev"] == "HS22"]
    table = (reg.groupby(["origin", "sector", "product"], sort=False)
             .agg(products=("hs6", "nunique"),
                  hs6_codes=("hs6", lambda c: " ".join(dict.fromkeys(c))))
             .reset_index())
    if args.sector:
        table = table[(table["sector"] == args.sector) | (table["product"] == args.sector)]
    if args.format == "table" and not args.wide:  # the first codes; all with --wide or csv
        table["hs6_codes"] = table["hs6_codes"].map(
            lambda c: c if len(c) <= 41 else c[:41].rsplit(" ", 1)[0] + " …")
    table.attrs["label"] = "esc sector registry (data/sectors.csv), HS2022 codes"
    _emit(table, args)
    return 0


def _cmd_controls(args: argparse.Namespace) -> int:
    table = controls.list_controls() if args.format == "table" else controls.load_controls()
    table.attrs["label"] = "export controls as announced (data/export_controls.csv)"
    _emit(table, args)
    return 0


def _cmd_alternatives(args: argparse.Namespace) -> int:
    groups = _groups(args.groups)
    res = study.alternatives_for(args.source, reporter=args.reporter, year=args.year,
                                 products=args.hs6 or (), flagged=args.flagged,
                                 preset=args.preset, supplier=args.supplier, sector=args.sector,
                                 merge_hk=args.merge_hk, groups=groups, top=args.top,
                                 redirect=scenarios.DEFAULT_REDIRECT if args.redirect is None
                                 else args.redirect)
    _emit_assumed(res, args)
    return 0


def _cmd_complementarity(args: argparse.Namespace) -> int:
    flows = study.load_flows(args.source, years=[args.year])
    level = study.product_level(args.source)
    find = complementarity.could_relocate if args.relocate else complementarity.complementarity
    res = find(flows, exporter=args.exporter, reporter=args.reporter, year=args.year,
               hhi_cut=args.hhi_cut, product=level)
    attrs = {**flows.attrs, **res.attrs}
    labels = analysis.registry_products(level, str(flows["hs_rev"].iloc[0]), None)
    res = res.merge(labels[[level, "short_name"]], on=level, how="left")
    res.attrs.update(attrs)
    _emit_assumed(res, args)
    return 0


def _cmd_screen(args: argparse.Namespace) -> int:
    table = study.screen(source=args.source, reporters=args.reporter or ["IND"],
                         year=args.year, years_back=args.years_back, preset=args.preset,
                         pci=args.pci, merge_hk=args.merge_hk, sector=args.sector,
                         groups=partner_groups(args.groups))
    if args.summary:
        _emit(screen.SUMMARIES[args.summary](table), args)
        return 0
    cols = schema.screen_columns() if args.format == "table" else list(table.columns)
    shown = table if args.years_back else table[table["year"] == args.year]
    _emit(_keep_attrs(table, shown[[c for c in cols if c in shown.columns]]), args)
    return 0


def _cmd_initiatives(args: argparse.Namespace) -> int:
    df = study.initiatives(args.sector)
    if args.format == "table":  # readable source names, amounts with their unit, no NaN
        out = initiative_sources.for_display(df)
    else:  # every column, and the sources' readable names beside their files
        out = df.assign(source=initiative_sources.readable_sources(df["source_file"]))
    out = _keep_attrs(df, out)
    out.attrs["label"] = "initiatives from the seed documents (fact sheet, study, news)"
    _emit(out, args)
    return 0


def _cmd_trend(args: argparse.Namespace) -> int:
    """``esc trend``: one product's imports, China's share, top supplier and HHI per year
    (:func:`esc.trend.trend_table`), as a table or, with ``--chart``, a chart file."""
    product, code = ("hs2", args.hs2) if args.hs2 else ("hs6", args.hs6)
    years = trend.parse_years(args.years) if args.years else None
    reporter = args.reporter.strip().upper()
    code = trend.check_code(code, product)
    flows = data.load_flows(args.source, years=years, reporters=[reporter], products=[code],
                            product_level=product)
    table = trend.trend_table(flows, reporter=reporter, code=code, product=product,
                              years=years, merge_hk=args.merge_hk)
    if args.chart:
        _trend_chart(table, args)
    else:
        _emit(table, args)
        if args.format == "table":
            sys.stdout.write(display.note(_trend_note(table)))
    return 0


def _trend_note(table: pd.DataFrame) -> str:
    """What a trend table shows: the product's name (sector registry) and the HK rule."""
    a = table.attrs
    rev = str((a.get("data") or {}).get("hs_rev") or "HS22")
    names = analysis.registry_products(a["product"], rev, None)
    found = names.loc[names[a["product"]] == a["code"], "short_name"]
    name = f" ({found.iloc[0]})" if len(found) else ""
    hk = ("Hong Kong and Macao counted as China" if a["merge_hk"]
          else "Hong Kong and Macao apart (--merge-hk counts them as China)")
    return (f"{a['reporter']}'s imports of {a['product'].upper()} {a['code']}{name}; {hk}; "
            "top1: the largest supplier; hhi: sum of squared supplier shares (0-1)")


def _trend_chart(table: pd.DataFrame, args: argparse.Namespace) -> None:
    """Draw ``--measure`` of a trend table with :func:`esc.charts.trend` into ``--chart``."""
    path = Path(args.chart)
    what = (("Imports", "") if args.measure == "imports_usd"
            else charts.TREND_TITLES.get(args.measure, (args.measure, "")))
    a = table.attrs
    title = f"{a['reporter']}'s imports of {a['product'].upper()} {a['code']}: {what[0]}"
    y_title = None if args.measure == "imports_usd" else f"{what[0]} ({what[1]})"
    chart = charts.trend(table, y=args.measure, series="importer", title=title,
                         y_title=y_title)
    written = charts.save(chart, path.parent, path.stem, formats=(path.suffix.lstrip("."),))
    print(f"# chart written to {written[0]}", file=sys.stderr)


def _cmd_report(args: argparse.Namespace) -> int:
    result = report.run_report(notebooks=args.notebook, sectors=args.sector, year=args.year,
                               source=args.source,
                               out=args.out, reuse=not args.no_reuse, preset=args.preset,
                               progress=not args.no_progress,
                               reporters=tuple(args.reporter or ("IND", "JPN")))
    print(f"report: {result.folder}")
    if not result.ok:
        print("failed notebooks: " + ", ".join(map(str, result.failed)), file=sys.stderr)
        return 1
    return 0


EXAMPLES: dict[str, tuple[str, ...]] = {
    "": ("esc dependence --reporter IND --year 2023 --sector Batteries",
         "esc trend --reporter IND --hs6 850760 --years 2019-2023"),
    "data": ("esc data list", "esc data fetch baci --release V202501 --hs HS22"),
    "data list": ("esc data list", "esc data list --format csv --output sources.csv"),
    "data fetch": ("esc data fetch baci --release V202501 --hs HS22", "esc data fetch wits-india"),
    "data import": ("esc data import BACI_HS22_V202501.zip",
                    "esc data import comtrade-2023.csv --hs HS22"),
    "dependence": ("esc dependence --reporter IND --year 2023 --sector Batteries",
                   "esc dependence --source wits-india --level hs2 --year 2022"),
    "pci": ("esc pci --exports exports.csv --format csv",
            "esc pci --exports exports.csv --value-col value --presence continuous"),
    "scenario": ("esc scenario --reporter IND --supplier CHN --year 2023 --sector Batteries",
                 "esc scenario --reporter JPN --control cn-graphite-2023-12 --shared"),
    "controls": ("esc controls", "esc controls --format csv --output controls.csv"),
    "alternatives": ("esc alternatives --reporter IND --hs6 850760 --year 2023",
                     "esc alternatives --reporter JPN --flagged --top 5"),
    "complementarity": ("esc complementarity --exporter IND --reporter JPN --year 2023",
                        "esc complementarity --exporter IND --reporter JPN --relocate"),
    "screen": ("esc screen --reporter IND --reporter JPN --year 2023 --summary category",
               "esc screen --reporter IND --sector Batteries --years-back 2"),
    "sectors": ("esc sectors", "esc sectors --sector Batteries --wide"),
    "initiatives": ('esc initiatives --sector "Clean energy"',
                    "esc initiatives --format csv --output initiatives.csv"),
    "trend": ("esc trend --reporter IND --hs6 850760 --years 2019-2023",
              "esc trend --source wits-india --hs2 85 --chart china-share-85.png"),
    "report": ("esc report --year 2023 --out reports",
               "esc report --notebook overview --reporter IND --source baci"),
}
"""One or two real command lines per (sub)command, shown under its ``--help``."""

OPTION_HELP = {
    "reporter": "ISO3 importer", "supplier": "ISO3 exporter that stops supplying",
    "exporter": "ISO3 exporter", "importer": "ISO3 importer", "year": "year of the flows",
    "source": "trade data source (see esc data list)",
    "sector": "sector or priority product (see esc sectors)",
    "merge_hk": "count Hong Kong and Macao as China", "no_progress": "no progress bar",
    "hhi_cut": "HHI (0-1) above which imports count as concentrated",
    "pci_cut": "PCI above which a product counts as complex",
    "redirect": "share (0-1) of other exporters' sales that can be redirected",
    "groups": "partner groups CSV (group,iso3,source)", "out": "report folder",
    "year_col": "column of years", "country_col": "column of country codes",
    "product_col": "column of product codes", "value_col": "column of export values",
    "presence": "RCA >= 1 as 0/1 (binary) or RCA itself (continuous)",
    "paths": "files to import",
}
"""What an option is, for options added without a help text."""


def _add_help_extras(parser: argparse.ArgumentParser, name: str = "") -> None:
    """Examples (:data:`EXAMPLES`) under every command's help and every option's default
    in its help text, for ``parser`` and its subcommands."""
    examples = EXAMPLES.get(name, ())
    if examples:
        parser.epilog = "examples:\n" + "\n".join(f"  {line}" for line in examples)
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub_name, sub in action.choices.items():
                _add_help_extras(sub, f"{name} {sub_name}".strip())
            continue
        if action.help is None and action.dest in OPTION_HELP:
            action.help = OPTION_HELP[action.dest]
        if _shows_default(action) and "default" not in (action.help or ""):
            action.help = ((action.help or "").rstrip() + " (default: %(default)s)").lstrip()


def _shows_default(action: argparse.Action) -> bool:
    """An option with a default worth printing (not None, False, [] or suppressed)."""
    return (bool(action.option_strings) and action.help != argparse.SUPPRESS
            and action.default not in (None, False, [], argparse.SUPPRESS))


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="esc", description="India–Japan economic security "
                                "analysis from public trade data.")
    p.add_argument("--version", action="version", version=f"esc {__version__}")
    p.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = p.add_subparsers(dest="cmd", required=True)

    d = sub.add_parser("data", help="list, fetch and import data sources")
    dsub = d.add_subparsers(dest="data_cmd", required=True)
    dl = dsub.add_parser("list", help="what is available, with provenance")
    _add_format(dl)
    df = dsub.add_parser("fetch", help="download a source from its publisher into the cache")
    df.add_argument("source", help=f"one of {', '.join(source.names(flows=None))}: baci "
                    "downloads a CEPII release; atlas and hs take --url; the others print the "
                    "steps to get their files by hand")
    df.add_argument("--release", help="BACI release, e.g. V202501")
    df.add_argument("--hs", help="HS revision of the BACI release, e.g. HS22")
    df.add_argument("--url", help="download from this URL instead of the publisher's")
    df.add_argument("--sha256", help="expected checksum of the download")
    df.add_argument("--no-progress", action="store_true")
    di = dsub.add_parser("import", help="import a BACI zip/csv, Comtrade CSV/JSON or WITS zip")
    di.add_argument("paths", nargs="+")
    di.add_argument("--release", help="release of a file whose name does not say it (e.g. "
                    "V202301 for a BACI csv)")
    di.add_argument("--hs", help="HS revision of a file whose name does not say it (e.g. HS92)")
    di.add_argument("--url", help="where the file came from, for its provenance record")
    d.set_defaults(func=_cmd_data)

    dep = sub.add_parser("dependence", help="import dependence per product: shares, HHI, PCI")
    dep.add_argument("--reporter", action="append", help="ISO3 importer (repeatable; "
                     "default IND)")
    dep.add_argument("--year", type=int, default=2023)
    dep.add_argument("--source", choices=source.names(), default="demo",
                     help="dgcis: India's imports by principal commodity, --year = start of the "
                     "fiscal year (2022 is 2022-23); meidb: by HS6 line, calendar --year")
    dep.add_argument("--level", choices=("hs2", "hs6"), help="product level (must match the "
                     "source: wits-india is hs2)")
    dep.add_argument("--sector", action="append", help="registry sector or product (repeatable)")
    dep.add_argument("--preset", default="study", help="study, ec2021, geodep or crma")
    dep.add_argument("--merge-hk", action="store_true", help="count Hong Kong and Macao as China")
    dep.add_argument("--groups", help="partner groups CSV (group,iso3,source), e.g. an "
                     "edited copy of data/partner_groups.csv; default $ESC_GROUPS_FILE or "
                     "esc's own")
    dep.add_argument("--hhi-cut", type=float)
    dep.add_argument("--pci-cut", type=float)
    _add_format(dep)
    dep.set_defaults(func=_cmd_dependence)

    pc = sub.add_parser("pci", help="PCI and ECI of a (year, country, product, value) table")
    pc.add_argument("--exports", required=True, help="CSV file of exports")
    pc.add_argument("--year-col", default="year")
    pc.add_argument("--country-col", default="country")
    pc.add_argument("--product-col", default="product")
    pc.add_argument("--value-col", default="export_value")
    pc.add_argument("--presence", choices=("binary", "continuous"), default="binary")
    _add_format(pc)
    pc.set_defaults(func=_cmd_pci)

    sc = sub.add_parser("scenario", help="value at risk if one supplier stops exporting")
    sc.add_argument("--reporter", default="IND")
    sc.add_argument("--supplier", default="CHN")
    sc.add_argument("--year", type=int, default=2023)
    sc.add_argument("--source", choices=_hs_sources(), default="demo")
    sc.add_argument("--sector", action="append")
    sc.add_argument("--trusted", action="store_true", help="only trusted partners replace")
    sc.add_argument("--groups", help="partner groups CSV with the 'trusted' group to use")
    sc.add_argument("--merge-hk", action="store_true")
    sc.add_argument("--control", help="id of an announced export control (esc controls): "
                    "stop exactly its products")
    sc.add_argument("--redirect", type=float, help="share (0-1) of their exports to other "
                    "markets that alternatives can redirect (default 0.1, an assumption)")
    sc.add_argument("--shared", action="store_true", help="the supplier stops to every "
                    "importer (as under an export control): importers share what is redirected")
    _add_format(sc)
    sc.set_defaults(func=_cmd_scenario)

    ct = sub.add_parser("controls", help="export controls announced (data/export_controls.csv)")
    _add_format(ct)
    ct.set_defaults(func=_cmd_controls)

    al = sub.add_parser("alternatives", help="other exporters of a product, by world share")
    al.add_argument("--reporter", default="IND")
    al.add_argument("--supplier", default="CHN")
    al.add_argument("--hs6", action="append", help="HS6 code (repeatable; default: every "
                    "registry product the stop leaves uncovered)")
    al.add_argument("--flagged", action="store_true", help="every product the screen flags "
                    "for the reporter (esc screen) instead")
    al.add_argument("--preset", default="study", help="preset of the screen's flag")
    al.add_argument("--year", type=int, default=2023)
    al.add_argument("--source", choices=_hs_sources(), default="demo")
    al.add_argument("--sector", action="append")
    al.add_argument("--redirect", type=float)
    al.add_argument("--groups", help="partner groups CSV (group,iso3,source)")
    al.add_argument("--merge-hk", action="store_true")
    al.add_argument("--top", type=int, default=10, help="exporters per product (default 10)")
    _add_format(al)
    al.set_defaults(func=_cmd_alternatives)

    co = sub.add_parser("complementarity", help="what one partner exports that the other needs")
    co.add_argument("--exporter", default="IND")
    co.add_argument("--reporter", "--importer", dest="reporter", default="JPN",
                    help="ISO3 importer (--importer: the same)")
    co.add_argument("--year", type=int, default=2023)
    co.add_argument("--source", choices=_hs_sources(), default="demo")
    co.add_argument("--hhi-cut", type=float, default=0.25)
    co.add_argument("--relocate", action="store_true", help="products the exporter does not "
                    "make yet but is close to (no RCA, high density), by value x density")
    _add_format(co)
    co.set_defaults(func=_cmd_complementarity)

    scr = sub.add_parser("screen", help="screen every product a reporter imports: HHI, PCI, "
                         "category, preset flags")
    scr.add_argument("--reporter", action="append", help="ISO3 importer (repeatable; "
                     "default IND)")
    scr.add_argument("--year", type=int, default=2023)
    scr.add_argument("--years-back", type=int, default=0, help="also list up to N earlier "
                     "years the source has")
    scr.add_argument("--source", choices=_hs_sources(), default="demo")
    scr.add_argument("--preset", default="study", help="study, ec2021, geodep or crma")
    scr.add_argument("--pci", choices=("computed", "atlas"), default="computed",
                     help="computed from the source's complete product space, or the Atlas")
    scr.add_argument("--merge-hk", action="store_true", help="count Hong Kong and Macao as China")
    scr.add_argument("--sector", action="append", help="keep only these registry sectors or "
                     "products (repeatable)")
    scr.add_argument("--groups", help="partner groups CSV (see esc dependence --groups)")
    scr.add_argument("--summary", choices=("category", "section", "sector", "share-a",
                                           "unlisted", "churn", "presets"),
                     help="print one summary table instead of the rows")
    _add_format(scr)
    scr.set_defaults(func=_cmd_screen)

    se = sub.add_parser("sectors", help="the sector registry: sectors, priority products, "
                        "HS codes (the names --sector takes)",
                        epilog="example: esc sectors --sector Batteries --wide")
    se.add_argument("--sector", help="only this sector or priority product")
    _add_format(se)
    se.set_defaults(func=_cmd_sectors)

    ini = sub.add_parser("initiatives", help="India–Japan cooperation initiatives")
    ini.add_argument("--sector")
    _add_format(ini)
    ini.set_defaults(func=_cmd_initiatives)

    tr = sub.add_parser("trend", help="one product's imports, China's share, top supplier "
                        "and HHI over the years (table or chart)")
    tr.add_argument("--reporter", default="IND", help="ISO3 importer")
    code = tr.add_mutually_exclusive_group(required=True)
    code.add_argument("--hs6", help="HS6 product code, e.g. 850760 (sources at HS6 level)")
    code.add_argument("--hs2", help="HS2 chapter, e.g. 85 (wits-india is at HS2 level)")
    tr.add_argument("--years", help="a year or an inclusive range such as 2019-2023 "
                    "(default: every year the source has)")
    tr.add_argument("--source", choices=_hs_sources(), default="demo")
    tr.add_argument("--merge-hk", action="store_true", help="count Hong Kong and Macao as China")
    tr.add_argument("--chart", metavar="FILE", help="draw --measure into FILE (.png or .svg) "
                    "instead of printing the table")
    tr.add_argument("--measure", default="share_chn",
                    choices=("share_chn", "imports_usd", "hhi", "top1_share"),
                    help="what --chart draws")
    _add_format(tr)
    tr.set_defaults(func=_cmd_trend)

    rp = sub.add_parser("report", help="run the notebooks into a report folder")
    rp.add_argument("--sector", action="append", help="registry sector (repeatable; default: "
                    "the study's four sectors)")
    rp.add_argument("--preset", default="study", help="study, ec2021, geodep or crma")
    rp.add_argument("--notebook", action="append", help="run only this notebook "
                    "(repeatable: overview, sector, critical_minerals, complementarity, "
                    "initiatives; default all)")
    rp.add_argument("--year", type=int, default=2023)
    rp.add_argument("--source", choices=_hs_sources(), default="demo")
    rp.add_argument("--reporter", action="append")
    rp.add_argument("--out", default="reports")
    rp.add_argument("--no-reuse", action="store_true",
                    help="execute every notebook even when an earlier run in the same folder "
                    "had the same inputs (for the whole run or for that notebook)")
    rp.add_argument("--no-progress", action="store_true")
    rp.set_defaults(func=_cmd_report)
    _add_help_extras(p)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.func(args)
    except EscError as exc:
        print(f"esc: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `esc ... | head`
        return 0


if __name__ == "__main__":
    sys.exit(main())
