"""Scenarios: what if one supplier stops exporting, and who else could supply?

For one reporter and year, each product's imports from the stopped supplier are the **value at
risk**. The other exporters (the *alternatives*: every exporter but the supplier and the
reporter, or only the trusted partners) can redirect a share ``redirect`` of what they now sell
to *other* markets; that bounds how much of the gap they can fill:

    at_risk_usd       = M_rs                          imports of reporter r from supplier s
    alt_exports_usd   = sum_{i alt} (X_i - M_ri)       alternatives' exports to markets other
                                                       than r (what they could redirect)
    coverable_usd     = min(at_risk_usd, redirect x alt_exports_usd)
    uncovered_usd     = at_risk_usd - coverable_usd
    redirect_to_close = at_risk_usd / alt_exports_usd  the redirect share at which the gap
                                                       closes; NaN when above 1 (even all of
                                                       the alternatives' exports would not do)

With ``shared=True`` the supplier stops to *every* importer (as under an export control) and
the importers share what the alternatives redirect in proportion to their loss (see
:func:`supplier_stop`).

``redirect`` is an assumption, not an estimate for any one product: :data:`DEFAULT_REDIRECT`
(10 %) is a central value of the one-year export responses published for comparable episodes
(6.7 % to 14 %, quoted with their sources in ``docs/scenarios.md``), and :func:`sensitivity`
shows the result for every share from 0 to 100 %. ``redirect=1`` gives the old upper bound
(all current exports redirected).

``merge_hk`` lets Hong Kong and Macao stop with China (their re-exports of Chinese goods stop
too). :func:`control_stop` runs the stop on the HS6 codes of an announced export control
(``data/export_controls.csv``); :func:`alternatives` lists the other exporters of a product.

Every result carries in ``attrs``: ``label`` (demo or real, from the flows), ``year``,
``supplier``, ``replacement``, ``redirect``, ``merge_hk``, ``trusted`` (the trusted list used,
when ``replacement="trusted"``) and ``assumption`` (one sentence for captions).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from esc import controls
from esc.complexity import export_table, rca
from esc.countries import RE_EXPORT_HUBS, check_countries, partner_groups
from esc.errors import BadValueError, UnknownReleaseError

log = logging.getLogger(__name__)

DEFAULT_REDIRECT = 0.10
"""Share of their current exports to other markets that alternatives can redirect (0-1).

A central value of the published one-year responses of other exporters when a large supplier
stopped or was taxed (6.7 % to 14 % for comparable goods; the figures, quoted with their
sources, are in ``docs/scenarios.md``, "Why redirect defaults to 10%"). Read results with
:func:`sensitivity`."""

REDIRECT_GRID: tuple[float, ...] = tuple(np.round(np.linspace(0.0, 1.0, 21), 2))
"""Redirect shares of the sensitivity table: 0, 5, ..., 100 %."""


def _check_redirect(redirect: float) -> float:
    r = float(redirect)
    if not 0.0 <= r <= 1.0:
        raise BadValueError(f"redirect must be a share between 0 and 1, not {redirect!r}",
                            column="redirect")
    return r


def _year(flows: pd.DataFrame, year: int) -> pd.DataFrame:
    f = flows[flows["year"] == year]
    if f.empty:
        raise UnknownReleaseError(f"no flows for year {year}; years: "
                                  f"{', '.join(map(str, sorted(flows['year'].unique())))}")
    return f


def _stopped(supplier: str, merge_hk: bool) -> set[str]:
    return {supplier} | (set(RE_EXPORT_HUBS) if merge_hk and supplier == "CHN" else set())


def _trusted(groups: dict[str, frozenset[str]] | None) -> frozenset[str]:
    return (groups or partner_groups())["trusted"]


def assumption_text(*, redirect: float, replacement: str, supplier: str, merge_hk: bool,
                    trusted: Iterable[str] = (), shared: bool = False) -> str:
    """One sentence stating what a stop result assumes (for captions and table notes).

    >>> assumption_text(redirect=0.1, replacement="all", supplier="CHN", merge_hk=True)
    'CHN (with HKG, MAC) stops; all other exporters redirect 10% of their exports to other markets'
    """
    who = "all other exporters" if replacement == "all" else (
        f"trusted partners only ({', '.join(sorted(trusted))})")
    stop = supplier + (" (with HKG, MAC)" if merge_hk and supplier == "CHN" else "")
    text = f"{stop} stops; {who} redirect {redirect:.0%} of their exports to other markets"
    if shared:
        text += (f"; {stop} stops to every importer, and they share what is redirected in "
                 "proportion to their loss")
    return text


def supplier_stop(
    flows: pd.DataFrame,
    *,
    reporter: str,
    supplier: str = "CHN",
    year: int,
    replacement: str = "all",
    merge_hk: bool = False,
    product: str = "hs6",
    groups: dict[str, frozenset[str]] | None = None,
    redirect: float = DEFAULT_REDIRECT,
    products: Sequence[str] | None = None,
    shared: bool = False,
) -> pd.DataFrame:
    """Value at risk, coverable and uncovered value per product when ``supplier`` stops.

    Formulas in the module docstring (USD; shares 0-1). ``replacement="trusted"`` counts only
    exporters of the "trusted" partner group (``groups`` or ``data/partner_groups.csv``);
    ``products`` restricts the result to those codes (the world exports of the alternatives are
    still read from all of ``flows``).

    ``shared=True`` models a stop towards *every* importer (as an export control is): all of
    them compete for what the alternatives redirect, in proportion to their loss, so the
    reporter can draw on ``alt_available_usd = alt_exports_usd x at_risk_usd / W`` with ``W``
    the stopped supplier's world exports of the product (``stopped_world_exports_usd``); the
    gap then closes at ``redirect = W / alt_exports_usd``. Otherwise (a stop towards the
    reporter only) ``alt_available_usd = alt_exports_usd``.

    Returns ``year, importer, <product>, imports_usd, at_risk_usd, at_risk_share,
    alt_exports_usd, alt_to_reporter_usd, redirect, coverable_usd, coverable_share,
    uncovered_usd, redirect_to_close``, largest value at risk first; ``coverable_share`` is NaN
    where nothing is at risk.

    >>> f = pd.DataFrame({"year": 2023, "exporter": ["CHN", "KOR", "KOR"],
    ...     "importer": ["IND", "IND", "USA"], "hs6": "850511", "value_usd": [80.0, 5.0, 400.0]})
    >>> r = supplier_stop(f, reporter="IND", year=2023, redirect=0.1).iloc[0]
    >>> float(r["coverable_usd"]), float(r["uncovered_usd"]), float(r["redirect_to_close"])
    (40.0, 40.0, 0.2)
    """
    reporter, supplier = check_countries([reporter, supplier])
    if replacement not in ("all", "trusted"):
        raise UnknownReleaseError(f"replacement must be 'all' or 'trusted', not {replacement!r}")
    redirect = _check_redirect(redirect)
    f = _year(flows, year)
    stopped = _stopped(supplier, merge_hk)
    imp = f[f["importer"] == reporter]
    total = imp.groupby(product)["value_usd"].sum().rename("imports_usd")
    risk = imp[imp["exporter"].isin(stopped)].groupby(product)["value_usd"].sum()
    alt = f[~f["exporter"].isin(stopped | {reporter})]
    trusted = frozenset()
    if replacement == "trusted":
        trusted = _trusted(groups) - {reporter}
        alt = alt[alt["exporter"].isin(trusted)]
    to_reporter = alt["importer"] == reporter
    alt_x = alt[~to_reporter].groupby(product)["value_usd"].sum()
    alt_r = alt[to_reporter].groupby(product)["value_usd"].sum()
    out = pd.DataFrame({"imports_usd": total})
    if products is not None:
        out = out.reindex(pd.Index(list(dict.fromkeys(products)), name=product)).fillna(0.0)
    out["at_risk_usd"] = risk.reindex(out.index).fillna(0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["at_risk_share"] = out["at_risk_usd"] / out["imports_usd"].where(
            out["imports_usd"] > 0)
    out["alt_exports_usd"] = alt_x.reindex(out.index).fillna(0.0)
    out["alt_to_reporter_usd"] = alt_r.reindex(out.index).fillna(0.0)
    out["alt_available_usd"] = out["alt_exports_usd"]
    if shared:
        world = f[f["exporter"].isin(stopped)].groupby(product)["value_usd"].sum()
        out["stopped_world_exports_usd"] = world.reindex(out.index).fillna(0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            part = out["at_risk_usd"] / out["stopped_world_exports_usd"]
        out["alt_available_usd"] = out["alt_exports_usd"] * part.fillna(0.0)
    out["redirect"] = redirect
    out = _cover(out, redirect)
    out = out.reset_index().assign(year=year, importer=reporter)
    cols = ["year", "importer", product] + [c for c in out.columns
                                            if c not in ("year", "importer", product)]
    out = out[cols].sort_values("at_risk_usd", ascending=False, kind="stable")
    out = out.reset_index(drop=True)
    out.attrs.update(flows.attrs)
    out.attrs.update({
        "year": year, "supplier": supplier, "replacement": replacement, "redirect": redirect,
        "merge_hk": merge_hk, "trusted": sorted(trusted), "shared": shared,
        "assumption": assumption_text(redirect=redirect, replacement=replacement,
                                      supplier=supplier, merge_hk=merge_hk, trusted=trusted,
                                      shared=shared) + _one_importer_note(f),
    })
    return out


def _one_importer_note(flows: pd.DataFrame) -> str:
    """What the assumption adds when the flows hold one importer (mirror data): the
    alternatives' exports to other markets are not in them, so coverage counts them as 0."""
    if flows["importer"].nunique() >= 2:
        return ""
    return ("; the flows hold one importer only, so the alternatives' exports to other markets "
            "are unknown and counted as 0")


def _cover(t: pd.DataFrame, redirect: float) -> pd.DataFrame:
    """Add coverable, uncovered and the closing share to a table with at-risk and alt columns."""
    t = t.copy()
    col = "alt_available_usd" if "alt_available_usd" in t.columns else "alt_exports_usd"
    risk, alt = t["at_risk_usd"].to_numpy(float), t[col].to_numpy(float)
    t["coverable_usd"] = np.minimum(risk, redirect * alt)
    with np.errstate(invalid="ignore", divide="ignore"):
        t["coverable_share"] = np.where(risk > 0, t["coverable_usd"] / risk, np.nan)
        close = np.where(risk > 0, risk / alt, 0.0)
    t["uncovered_usd"] = risk - t["coverable_usd"].to_numpy()
    t["redirect_to_close"] = np.where(close <= 1.0, close, np.nan)
    return t


def by_sector(result: pd.DataFrame, labels: pd.DataFrame, *, product: str = "hs6") -> pd.DataFrame:
    """Sum a :func:`supplier_stop` result by sector (``labels``: ``<product>, sector``).

    ``coverable_share`` is recomputed from the sums (value-weighted). ``redirect_to_close``
    of a sector is the share at which *every* product's gap closes: the largest of its
    products' (NaN when one of them cannot close).
    """
    t = result.merge(labels[[product, "sector"]].drop_duplicates(product), on=product,
                     how="left")
    t["sector"] = t["sector"].fillna("other")
    cols = ["imports_usd", "at_risk_usd", "alt_exports_usd", "coverable_usd", "uncovered_usd"]
    out = t.groupby("sector", as_index=False)[cols].sum()
    out["at_risk_share"] = out["at_risk_usd"] / out["imports_usd"]
    out["coverable_share"] = out["coverable_usd"] / out["at_risk_usd"].where(
        out["at_risk_usd"] > 0)
    if "redirect_to_close" in t.columns:
        worst = t.groupby("sector")["redirect_to_close"].agg(
            lambda s: np.nan if s.isna().any() else s.max())
        out["redirect_to_close"] = out["sector"].map(worst)
    out = out.sort_values("at_risk_usd", ascending=False).reset_index(drop=True)
    out.attrs.update(result.attrs)
    return out


def sensitivity(
    result: pd.DataFrame,
    *,
    shares: Sequence[float] = REDIRECT_GRID,
    product: str | None = None,
) -> pd.DataFrame:
    """Uncovered value against the redirect share, from a :func:`supplier_stop` result.

    For each share ``r``: ``uncovered(r) = sum_p at_risk_p - min(at_risk_p, r x alt_p)`` (USD),
    over all products of ``result`` or, with ``product`` (e.g. ``"hs6"``), per product.
    Returns ``redirect, [<product>,] at_risk_usd, coverable_usd, uncovered_usd,
    uncovered_share, is_default`` (``is_default``: the share ``result`` was computed with).
    """
    rows = []
    for r in shares:
        t = _cover(result[[c for c in result.columns
                           if c in ("at_risk_usd", "alt_exports_usd", "alt_available_usd")
                           or c == product]],
                   _check_redirect(r))
        t["redirect"] = float(r)
        rows.append(t)
    long = pd.concat(rows, ignore_index=True)
    keys = ["redirect"] + ([product] if product else [])
    out = long.groupby(keys, as_index=False)[["at_risk_usd", "coverable_usd",
                                              "uncovered_usd"]].sum()
    out["uncovered_share"] = out["uncovered_usd"] / out["at_risk_usd"].where(
        out["at_risk_usd"] > 0)
    default = result.attrs.get("redirect")
    out["is_default"] = np.isclose(out["redirect"], default) if default is not None else False
    out.attrs.update(result.attrs)
    return out


def control_stop(
    flows: pd.DataFrame,
    control: pd.Series,
    *,
    reporter: str,
    year: int,
    **kwargs,
) -> pd.DataFrame:
    """:func:`supplier_stop` on exactly the HS6 codes of an announced export control.

    ``control`` is a row of :func:`esc.controls.load_controls` (``id, name, country,
    effective, hs6``; :func:`esc.study.scenario` looks an id up); the supplier is the
    control's ``country``. Other keywords go to :func:`supplier_stop`. The result's ``attrs``
    add ``control`` (the id) and ``control_name``; every code of the control has a row, with
    zero imports where the reporter buys none.
    """
    codes = controls.split_hs6(control["hs6"])
    product = kwargs.get("product", "hs6")
    flows_p = flows[flows[product].isin(codes)]
    flows_p.attrs.update(flows.attrs)
    if flows_p.empty or not (flows_p["year"] == year).any():
        flows_p = flows  # let supplier_stop name the years there are
    out = supplier_stop(flows_p, reporter=reporter, supplier=control["country"], year=year,
                        products=codes, **kwargs)
    out.attrs.update({"control": control["id"], "control_name": control["name"],
                      "control_effective": control["effective"]})
    return out


def controls_at_risk(
    flows: pd.DataFrame,
    controls_table: pd.DataFrame,
    *,
    reporters: Sequence[str] = ("IND", "JPN"),
    year: int,
    **kwargs,
) -> pd.DataFrame:
    """For each announced control and reporter: value at risk, coverable and uncovered (USD).

    ``controls_table`` is :func:`esc.controls.load_controls` (:func:`esc.study.controls_at_risk`
    reads it and passes it).

    Returns ``control, name, effective, importer, imports_usd, at_risk_usd, coverable_usd,
    uncovered_usd, uncovered_share``: the sums of :func:`control_stop` over the control's
    codes.
    """
    rows, attrs = [], {}
    for _, c in controls_table.iterrows():
        for rep in reporters:
            res = control_stop(flows, c, reporter=rep, year=year, **kwargs)
            attrs = res.attrs
            sums = res[["imports_usd", "at_risk_usd", "coverable_usd", "uncovered_usd"]].sum()
            rows.append({"control": c["id"], "name": c["name"], "effective": c["effective"],
                         "importer": res["importer"].iloc[0], **sums.to_dict()})
    out = pd.DataFrame(rows)
    out["uncovered_share"] = out["uncovered_usd"] / out["at_risk_usd"].where(
        out["at_risk_usd"] > 0)
    out.attrs.update({k: v for k, v in attrs.items()
                      if k not in ("control", "control_name", "control_effective", "supplier")})
    out.attrs["assumption"] = attrs.get("assumption", "").replace(
        attrs.get("supplier", "CHN"), "the controlling country", 1)
    return out


def alternatives(
    flows: pd.DataFrame,
    *,
    reporter: str,
    year: int,
    products: Sequence[str],
    supplier: str = "CHN",
    merge_hk: bool = False,
    redirect: float = DEFAULT_REDIRECT,
    groups: dict[str, frozenset[str]] | None = None,
    top: int | None = 10,
    product: str = "hs6",
) -> pd.DataFrame:
    """Other exporters of each product, ranked by world market share.

    For product ``p`` and exporter ``i`` (neither the reporter nor the stopped supplier):

        world_share_ip  = X_ip / sum_j X_jp        share of world exports (all exporters)
        rca_ip          = Balassa RCA of i in p on the flows of the year
        reporter_imports_usd = M_r,ip               what the reporter buys from i now
        headroom_usd    = redirect x (X_ip - M_r,ip) what i could redirect to the reporter

    ``groups`` lists the partner groups each exporter belongs to (``data/partner_groups.csv``
    by default); ``trusted`` is membership of the "trusted" group. Returns ``year, <product>,
    rank, exporter, world_exports_usd, world_share, rca, groups, trusted, reporter_imports_usd,
    headroom_usd`` with at most ``top`` rows per product (all with ``top=None``).
    """
    reporter, supplier = check_countries([reporter, supplier])
    redirect = _check_redirect(redirect)
    f = _year(flows, year)
    wanted = list(dict.fromkeys(str(p) for p in products))
    groups = groups or partner_groups()
    ex = rca(export_table(f, product=product)).rename(columns={
        "country": "exporter", "product": product, "export_value": "world_exports_usd"})
    ex = ex[ex[product].isin(wanted)]
    ex["world_share"] = ex["world_exports_usd"] / ex.groupby(product)[
        "world_exports_usd"].transform("sum")
    to_rep = (f[(f["importer"] == reporter) & f[product].isin(wanted)]
              .groupby(["exporter", product])["value_usd"].sum().rename("reporter_imports_usd"))
    ex = ex.merge(to_rep.reset_index(), on=["exporter", product], how="left")
    ex["reporter_imports_usd"] = ex["reporter_imports_usd"].fillna(0.0)
    ex = ex[~ex["exporter"].isin(_stopped(supplier, merge_hk) | {reporter})].copy()
    ex["headroom_usd"] = redirect * (ex["world_exports_usd"] - ex["reporter_imports_usd"])
    member = {c: [g for g, s in sorted(groups.items()) if c in s] for c in ex["exporter"]}
    ex["groups"] = ex["exporter"].map(lambda c: ", ".join(member[c]))
    ex["trusted"] = ex["exporter"].isin(groups.get("trusted", frozenset()))
    ex = ex.sort_values([product, "world_share"], ascending=[True, False], kind="stable")
    ex["rank"] = ex.groupby(product).cumcount() + 1
    if top is not None:
        ex = ex[ex["rank"] <= top]
    ex["year"] = year
    cols = ["year", product, "rank", "exporter", "world_exports_usd", "world_share", "rca",
            "groups", "trusted", "reporter_imports_usd", "headroom_usd"]
    out = ex[cols].reset_index(drop=True)
    out.attrs.update(flows.attrs)
    out.attrs.update({
        "year": year, "supplier": supplier, "redirect": redirect, "merge_hk": merge_hk,
        "assumption": (f"{supplier} stops; headroom = {redirect:.0%} of each exporter's exports "
                       f"to markets other than {reporter}"),
    })
    return out
