"""India's own statistics: concentration by principal commodity and HS8 line, and event studies.

The DGCI&S sources (:mod:`esc.sources.dgcis`, :mod:`esc.sources.meidb`) give India's imports
from every partner at the level India publishes them: principal commodities by fiscal year, and
ITC-HS eight-digit lines by month. This module runs esc's concentration screen on them and adds
what only monthly, product-level data can show: what an export control did to India's imports.

- :func:`concentration`: HHI, top suppliers, China's share and partner-group shares per
  (fiscal year, principal commodity) or per (month or year, HS8/HS6 line), computed by
  :func:`esc.metrics.concentration` (nothing re-implemented). Partners that are not countries
  ("UNSPECIFIED") are left out of the shares; their value is in ``unallocated_usd``.
- :func:`sector_trend`: the study's sectors through ``data/dgcis_sectors.csv``, one row per
  principal commodity and fiscal year, with the unpublished 2020-21 as an empty row (a gap,
  never interpolated).
- :func:`event_study` / :func:`event_summary`: India's monthly imports of the controlled lines
  from the controlling country and from everyone else, before and after the control took
  effect, and the change in the controlling country's share.
- :func:`dependence`: the ``esc dependence --source dgcis|meidb`` table.
- Its charts live in :mod:`esc.charts.india` (``esc.charts.concentration_chart``,
  ``share_trend_chart``, ``event_chart``, ``supplier_chart``); they name DGCI&S and the data's
  licence in their footer and are never marked demo.

Formulas (shares 0-1, values in USD): ``s_j = v_j / sum_k v_k`` over the country partners ``j``;
``hhi = sum_j s_j**2``; ``share_chn = v_CHN / sum_k v_k`` (with ``merge_hk`` Hong Kong and Macao
count as China).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from esc import controls, metrics, vulnerability
from esc.countries import check_countries, partner_groups
from esc.errors import BadValueError, MissingColumnError, UnknownReleaseError
from esc.registry import dgcis_sectors
from esc.registry import dgcis_sectors as sectors  # noqa: F401  (the former name)
from esc.schema import EXPORTER, HS6, IMPORTER, VALUE, YEAR
from esc.sources import dgcis, meidb

log = logging.getLogger(__name__)

PCI_NOTE_COMMODITY = ("no PCI: a principal commodity is a DGCI&S grouping, not an HS heading, "
                      "and the files carry no concordance to HS")
_KEY = HS6  # esc.metrics accepts hs2/hs4/hs6 as the product column: our keys travel in it
_SEP = "|"


# Loading: esc.data.load_flows("dgcis" | "meidb"), through the sources' registry entries.


# --------------------------------------------------------------------------- concentration


def _product_of(table: pd.DataFrame, product: str | None) -> str:
    product = product or table.attrs.get("product")
    if product is None:
        for col in (dgcis.COMMODITY, meidb.HS8, HS6):
            if col in table.columns:
                return col
        raise MissingColumnError("no product column (commodity, hs8 or hs6)", path="<table>")
    if product not in table.columns:
        raise MissingColumnError("product column is missing", path="<table>", column=product)
    return product


def _monthly(table: pd.DataFrame) -> bool:
    return meidb.PERIOD in table.columns and meidb.MONTH in table.columns


def concentration(
    table: pd.DataFrame,
    *,
    product: str | None = None,
    merge_hk: bool = False,
    supplier: str | None = "CHN",
    groups: Mapping[str, Iterable[str]] | None = None,
) -> pd.DataFrame:
    """Import concentration per (period, product) of a DGCI&S or MEIDB table.

    ``table`` comes from :func:`esc.sources.dgcis.read` (product ``commodity``, period the
    fiscal year) or :func:`esc.sources.meidb.read` (``hs8``/``hs6``; monthly or yearly).
    ``groups`` defaults to :func:`esc.countries.partner_groups` (one ``share_<group>`` column
    each). Returns :func:`esc.metrics.concentration`'s columns (``imports_usd`` counts country
    partners only) plus ``unallocated_usd`` (imports from partners that are not countries) and
    ``fiscal_year`` (DGCI&S) or ``month``/``period`` (monthly MEIDB).
    """
    product = _product_of(table, product)
    monthly = _monthly(table)
    groups = dict(groups) if groups is not None else partner_groups()
    key = table[product].astype(str)
    if monthly:
        key = key + _SEP + table[meidb.PERIOD].astype(str)
    frame = pd.DataFrame({YEAR: table[YEAR], IMPORTER: table[IMPORTER],
                          EXPORTER: table[EXPORTER], VALUE: table[VALUE], _KEY: key})
    named = frame[EXPORTER] != ""
    conc = metrics.concentration(frame[named], product=_KEY, merge_hk=merge_hk,
                                 supplier=supplier, groups=groups)
    unalloc = frame[~named].groupby([YEAR, IMPORTER, _KEY], as_index=False)[VALUE].sum()
    conc = conc.merge(unalloc.rename(columns={VALUE: "unallocated_usd"}),
                      on=[YEAR, IMPORTER, _KEY], how="left")
    conc["unallocated_usd"] = conc["unallocated_usd"].fillna(0.0)
    if monthly:
        parts = conc[_KEY].str.split(_SEP, n=1, expand=True)
        conc.insert(1, meidb.PERIOD, parts[1])
        conc.insert(2, meidb.MONTH, parts[1].str[5:7].astype("int8"))
        conc[_KEY] = parts[0]
    conc = conc.rename(columns={_KEY: product})
    if product == dgcis.COMMODITY:
        conc.insert(1, dgcis.FISCAL_YEAR, conc[YEAR].map(dgcis.fiscal_label))
    conc.attrs.update({k: v for k, v in table.attrs.items()})
    conc.attrs.update({"product": product, "merge_hk": merge_hk})
    return conc


def most_concentrated(conc: pd.DataFrame, year: int, *, n: int = 15,
                      min_imports_usd: float = 1e8) -> pd.DataFrame:
    """The ``n`` products with the highest HHI in ``year`` among those India imports for at
    least ``min_imports_usd`` (USD; default 100 million, so that a tiny group with one
    supplier does not top the list)."""
    sel = conc[(conc[YEAR] == int(year)) & (conc["imports_usd"] >= min_imports_usd)]
    if sel.empty:
        raise BadValueError(f"no product with imports of at least USD {min_imports_usd:,.0f} "
                            f"in {year}", path="<table>", column=YEAR)
    out = sel.sort_values(["hhi", "imports_usd"], ascending=[False, False]).head(n)
    out = out.reset_index(drop=True)
    out.attrs.update(conc.attrs)
    return out


# --------------------------------------------------------------------------- sectors


def with_gaps(conc: pd.DataFrame, product: str = dgcis.COMMODITY) -> pd.DataFrame:
    """Add an empty row (NaN figures, ``published = False``) for each fiscal year between the
    first and last that the files lack (2020-21), per product. Nothing is interpolated."""
    years = range(int(conc[YEAR].min()), int(conc[YEAR].max()) + 1)
    missing = sorted(set(years) - set(conc[YEAR].astype(int)))
    out = conc.assign(published=True)
    if missing:
        pad = pd.DataFrame([{YEAR: y, product: p, "published": False}
                            for y in missing for p in conc[product].unique()])
        pad[IMPORTER] = dgcis.REPORTER
        out = pd.concat([out, pad], ignore_index=True)
    if product == dgcis.COMMODITY:
        out[dgcis.FISCAL_YEAR] = out[YEAR].astype(int).map(dgcis.fiscal_label)
    out[YEAR] = out[YEAR].astype("int16")
    out = out.sort_values([product, YEAR]).reset_index(drop=True)
    out.attrs.update(conc.attrs)
    return out


def sector_trend(table: pd.DataFrame, *, merge_hk: bool = False,
                 groups: Mapping[str, Iterable[str]] | None = None) -> pd.DataFrame:
    """China's share (and HHI, imports) of each study-sector principal commodity, per fiscal
    year, 2020-21 included as a gap. ``table``: :func:`esc.sources.dgcis.read` output (all
    years). One row per (sector, product, principal commodity, fiscal year)."""
    mapping = dgcis_sectors()
    wanted = mapping["principal_commodity"].unique().tolist()
    missing = sorted(set(wanted) - set(table[dgcis.COMMODITY]))
    if missing:
        raise UnknownReleaseError(f"principal commodities of data/dgcis_sectors.csv not in the "
                                  f"files: {missing}")
    conc = concentration(table[table[dgcis.COMMODITY].isin(wanted)], merge_hk=merge_hk,
                         groups=groups)
    conc = with_gaps(conc)
    out = mapping.merge(conc, left_on="principal_commodity", right_on=dgcis.COMMODITY)
    out = out.drop(columns=["principal_commodity"])
    out.attrs.update(conc.attrs)
    return out


# --------------------------------------------------------------------------- dependence


def sector_commodities(sector: str | list[str] | None) -> list[str] | None:
    """The principal commodities of the study sectors or products named
    (``data/dgcis_sectors.csv``); None for no sector."""
    if not sector:
        return None
    names = [sector] if isinstance(sector, str) else list(sector)
    mapping = dgcis_sectors()
    keys = {n.strip().lower() for n in names}
    hit = mapping[mapping["sector"].str.lower().isin(keys)
                  | mapping["product"].str.lower().isin(keys)]
    if hit.empty:
        known = sorted(set(mapping["sector"]) | set(mapping["product"]))
        raise UnknownReleaseError(f"no DGCI&S principal commodity for sector {names}; "
                                  f"data/dgcis_sectors.csv knows: {', '.join(known)}")
    return hit["principal_commodity"].unique().tolist()


def dependence(
    table: pd.DataFrame,
    *,
    names: Mapping[str, str] | None = None,
    pci: pd.DataFrame | None = None,
    merge_hk: bool = False,
    groups: Mapping[str, Iterable[str]] | None = None,
    preset: str = "study",
    hhi_cut: float | None = None,
    pci_cut: float | None = None,
) -> pd.DataFrame:
    """The ``esc dependence`` table of India's own statistics: one row per product of
    ``table``, classified by :func:`esc.vulnerability.classify` (no PCI gives no category).

    ``table``: :func:`esc.sources.dgcis.read` output (product column ``commodity``; PCI stays
    empty, ``pci_note`` says why) or the yearly HS6 view of :func:`esc.sources.meidb.read`
    (product column ``hs6``; ``names`` code -> description, ``pci`` columns ``hs6, pci,
    pci_note``, e.g. the Atlas PCI of each heading). :func:`esc.study.india_dependence` loads
    both for a source and year.
    """
    product = dgcis.COMMODITY if dgcis.COMMODITY in table.columns else HS6
    conc = concentration(table, merge_hk=merge_hk, groups=groups)
    if product == dgcis.COMMODITY:
        conc["short_name"] = conc[dgcis.COMMODITY]
        conc["pci"], conc["pci_note"] = np.nan, PCI_NOTE_COMMODITY
    else:
        conc["short_name"] = conc[HS6].map(dict(names or {}))
        if pci is None:
            pci = pd.DataFrame({HS6: conc[HS6].unique(), "pci": np.nan,
                                "pci_note": "no PCI table given"})
        conc = conc.merge(pci[[HS6, "pci", "pci_note"]], on=HS6, how="left")
    conc["import_export_ratio"] = np.nan  # these files hold India's imports only
    conc["export_hhi"] = np.nan
    out = vulnerability.classify(conc, preset=preset, hhi_cut=hhi_cut, pci_cut=pci_cut,
                                 product=product)
    out = out.sort_values("imports_usd", ascending=False).reset_index(drop=True)
    out.attrs.update(table.attrs)
    out.attrs.update({"product": product, "merge_hk": merge_hk})
    return out


def cli_table(table: pd.DataFrame, *, full: bool = False) -> pd.DataFrame:
    """The columns ``esc dependence`` prints for a :func:`dependence` table (``full``: every
    group share, ``unallocated_usd`` and ``pci_note`` too, for csv and json)."""
    product = table.attrs.get("product", dgcis.COMMODITY)
    when = dgcis.FISCAL_YEAR if product == dgcis.COMMODITY else YEAR
    cols = ["importer", when, product, "short_name", "imports_usd", "top1_partner",
            "top1_share", "hhi", "n_partners", "share_chn", "pci", "category", "flag"]
    if product == dgcis.COMMODITY:
        cols.remove("short_name")
    if full:
        cols[-3:-3] = [c for c in table.columns if c.startswith("share_") and c != "share_chn"]
        cols += ["unallocated_usd", "pci_note"]
    out = table[[c for c in cols if c in table.columns]].reset_index(drop=True)
    out.attrs.update(table.attrs)
    return out


# --------------------------------------------------------------------------- event study


@dataclass(frozen=True)
class Control:
    """An export control as the event study needs it: when it took effect, which lines
    (HS codes or prefixes of ITC-HS eight-digit codes), whose exports it controls."""

    id: str
    start: date
    codes: tuple[str, ...]
    controller: str = "CHN"
    announced: date | None = None
    name: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)


GRAPHITE_2023 = Control(
    id="cn-graphite-2023-12", start=date(2023, 12, 1), codes=("2504", "3801"),
    controller="CHN", announced=date(2023, 10, 20),
    name="China: export licences for graphite (MOFCOM/GAC Announcement No. 39 of 2023)",
    notes=("every graphite line in the MEIDB files: natural graphite 2504 and artificial, "
           "colloidal and semi-colloidal graphite 3801; the announcement names narrower "
           "items (see data/export_controls.csv)",))
"""The graphite control of 1 December 2023 on every graphite line of the MEIDB files."""


def control(control_id: str) -> Control:
    """An export control from ``data/export_controls.csv`` (:mod:`esc.controls`) by id, its
    HS6 codes used as prefixes of the eight-digit lines."""
    row = controls.get_control(control_id)
    return Control(id=str(row["id"]), start=date.fromisoformat(str(row["effective"])),
                   codes=tuple(controls.control_hs6(control_id)),
                   controller=str(row["country"]),
                   announced=date.fromisoformat(str(row["announced"])), name=str(row["name"]),
                   notes=(str(row["hs6_mapping_note"]),))


def _month_index(start: date, window: int) -> pd.DataFrame:
    first = pd.Period(start, freq="M") - window
    months = pd.period_range(first, periods=2 * window, freq="M")
    return pd.DataFrame({meidb.PERIOD: months.strftime("%Y-%m"),
                         "month_start": months.to_timestamp().date,
                         "phase": ["before"] * window + ["after"] * window,
                         "months_from_start": range(-window, window)})


def event_study(
    monthly: pd.DataFrame,
    *,
    event: Control | str | None = None,
    start: date | str | None = None,
    codes: Iterable[str] | None = None,
    controller: str = "CHN",
    window: int = 24,
    merge_hk: bool = False,
) -> pd.DataFrame:
    """India's monthly imports of the controlled lines, from the controlling country and from
    everyone else, ``window`` months before and after the control took effect.

    Give ``event`` (a :class:`Control`, or an id of ``data/export_controls.csv``), or
    ``start`` (the date the control took effect; its month is the first "after" month),
    ``codes`` (HS8 codes or prefixes such as ``"2504"``) and ``controller`` (ISO3).
    ``monthly``: :func:`esc.sources.meidb.read` output (monthly HS8 lines).

    One row per month: ``period, month_start, phase ("before"/"after"), months_from_start,
    controller_usd, others_usd, total_usd`` (USD; partners that are not countries count in
    ``others_usd``) ``, controller_share = controller_usd / total_usd`` and ``lines`` (lines
    with a published row that month). A month without any published row has NaN figures, not
    zero. ``df.attrs["event"]`` describes the event and the lines used.
    """
    if isinstance(event, str):
        event = control(event)
    if event is None:
        if start is None or codes is None:
            raise BadValueError("give event=, or start= and codes=", path="<event study>")
        event = Control(id="custom", start=pd.Timestamp(start).date(),
                        codes=tuple(str(c) for c in codes), controller=controller)
    ctrl = check_countries([event.controller], what="controlling country")[0]
    lines = monthly[monthly[meidb.HS8].str.startswith(tuple(event.codes))]
    if lines.empty:
        raise UnknownReleaseError(f"no MEIDB line starts with {', '.join(event.codes)}")
    hubs = {ctrl, "HKG", "MAC"} if merge_hk and ctrl == "CHN" else {ctrl}
    from_ctrl = lines[EXPORTER].isin(hubs)
    by_month = pd.DataFrame({
        "controller_usd": lines[VALUE].where(from_ctrl, 0.0),
        "others_usd": lines[VALUE].where(~from_ctrl, 0.0),
        meidb.PERIOD: lines[meidb.PERIOD], meidb.HS8: lines[meidb.HS8]})
    agg = by_month.groupby(meidb.PERIOD).agg(controller_usd=("controller_usd", "sum"),
                                             others_usd=("others_usd", "sum"),
                                             lines=(meidb.HS8, "nunique")).reset_index()
    out = _month_index(event.start, window).merge(agg, on=meidb.PERIOD, how="left")
    out["total_usd"] = out["controller_usd"] + out["others_usd"]
    out["controller_share"] = out["controller_usd"] / out["total_usd"].where(
        out["total_usd"] > 0)
    out["lines"] = out["lines"].fillna(0).astype("int64")
    used = sorted(lines[meidb.HS8].unique())
    out.attrs.update({k: v for k, v in monthly.attrs.items()})
    out.attrs["event"] = {"id": event.id, "name": event.name, "start": event.start.isoformat(),
                          "announced": event.announced.isoformat() if event.announced else None,
                          "controller": ctrl, "codes": list(event.codes), "hs8_lines": used,
                          "window_months": window, "merge_hk": merge_hk,
                          "notes": list(event.notes)}
    return out


def event_summary(study: pd.DataFrame) -> pd.DataFrame:
    """Before/after means of an :func:`event_study` table and their change.

    Rows ``before``, ``after``, ``change`` (after minus before). Columns: ``months`` (with
    published data), mean monthly ``controller_usd``, ``others_usd``, ``total_usd`` (USD) and
    ``controller_share`` = sum of controller_usd / sum of total_usd over the phase's months
    (value-weighted; the change is in share points, 0.10 = 10 percentage points).
    """
    rows = []
    for phase in ("before", "after"):
        part = study[(study["phase"] == phase) & study["total_usd"].notna()]
        total = part["total_usd"].sum()
        rows.append({"phase": phase, "months": len(part),
                     "controller_usd": part["controller_usd"].mean(),
                     "others_usd": part["others_usd"].mean(),
                     "total_usd": part["total_usd"].mean(),
                     "controller_share": part["controller_usd"].sum() / total if total
                     else np.nan})
    change = {k: rows[1][k] - rows[0][k] for k in rows[0] if k not in ("phase", "months")}
    out = pd.DataFrame([*rows, {"phase": "change", "months": None, **change}])
    out["months"] = out["months"].astype("Int64")
    out.attrs.update(study.attrs)
    return out


# --------------------------------------------------------------------------- line names


def line_descriptions(monthly: pd.DataFrame) -> dict[str, str]:
    """Each line's published description (the first one seen), by code: for naming the lines
    of a yearly MEIDB table, which has no description column, on a chart
    (:func:`esc.charts.india.supplier_chart` ``names=``). ``monthly`` is
    :func:`esc.sources.meidb.read` output (HS8 lines)."""
    product = meidb.HS8 if meidb.HS8 in monthly.columns else HS6
    first = monthly.drop_duplicates(product)
    return dict(zip(first[product].astype(str), first["description"].astype(str), strict=True))
