"""The baselines esc is measured against: what an analyst would write with pandas alone.

They are deliberately straightforward but not careless: vectorised groupbys, no Python loops
over groups, only the needed columns read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import pandas as pd

KEYS = ["year", "importer", "hs6"]


def concentration_pandas(flows: pd.DataFrame, *, country: str = "CHN",
                         unique_flows: bool = False,
                         groups: Mapping[str, Iterable[str]] | None = None) -> pd.DataFrame:
    """Shares, HHI, top-1/top-3 and one country's share per (year, importer, hs6), in pandas.

    Same definitions as :func:`esc.metrics.concentration`: self-trade and non-positive values
    dropped, duplicate (year, importer, hs6, exporter) rows summed (skipped with
    ``unique_flows``, as in esc), ties for the top supplier broken by ISO3 code. ``groups``
    (``{name: ISO3 codes}``) adds one ``share_<name>`` column per partner group: the members'
    value (``isin``) summed per group over the importer's total.
    """
    d = flows.loc[(flows["value_usd"] > 0) & (flows["exporter"] != flows["importer"]),
                  [*KEYS, "exporter", "value_usd"]]
    if unique_flows:
        g = d.reset_index(drop=True)
    else:
        g = d.groupby([*KEYS, "exporter"], as_index=False, sort=False)["value_usd"].sum()
    g["share"] = g["value_usd"] / g.groupby(KEYS, sort=False)["value_usd"].transform("sum")
    g = g.sort_values([*KEYS, "share", "exporter"], ascending=[True, True, True, False, True])
    g["s2"] = g["share"] ** 2
    g["top3"] = g["share"].where(g.groupby(KEYS, sort=False).cumcount() < 3, 0.0)
    g["in_country"] = g["share"].where(g["exporter"] == country, 0.0)
    named = {f"share_{re.sub(r'[^0-9a-z]+', '_', name.lower()).strip('_')}": sorted(members)
             for name, members in (groups or {}).items()}
    for col, members in named.items():
        g[col] = g["value_usd"].where(g["exporter"].isin(members), 0.0)
    out = g.groupby(KEYS, as_index=False, sort=True).agg(
        imports_usd=("value_usd", "sum"), n_partners=("share", "size"), hhi=("s2", "sum"),
        top1_partner=("exporter", "first"), top1_share=("share", "first"),
        top3_share=("top3", "sum"), share_chn=("in_country", "sum"),
        **{col: (col, "sum") for col in named})
    for col in named:
        out[col] = out[col] / out["imports_usd"]
    out["eff_suppliers"] = 1.0 / out["hhi"]
    return out


def filtered_pandas(files: list[str], *, importer: str, years: list[int],
                    hs6: list[str]) -> pd.DataFrame:
    """Load every Parquet file whole, then keep one importer, some years and products."""
    df = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    keep = (df["importer"] == importer) & df["year"].isin(years) & df["hs6"].isin(hs6)
    return df.loc[keep].reset_index(drop=True)


def screen_pandas(files: list[str], years: list[int], preset: str = "study") -> pd.DataFrame:
    """The full screen of every importer and product over ``years`` in plain pandas.

    Each year file is read with pandas and screened by :func:`benchmarks.screen.pandas_screen`
    (the same outputs as esc's screen: concentration with top suppliers and group shares,
    world-export HHI, M/X, PCI by esc's own complexity function, labels, presets). The years
    are then concatenated and every preset applied once more over all of them, so that a
    preset with a persistence rule (geodep: flagged in 2 of the last 3 years) sees every year.
    """
    from benchmarks.screen import pandas_screen
    from esc import vulnerability
    from esc.screen import PRESET_NAMES

    parts = []
    for path, year in zip(files, years, strict=True):
        parts.append(pandas_screen([path], year, preset))
    table = pd.concat(parts, ignore_index=True)
    if len(years) > 1:
        for name in PRESET_NAMES:
            table[f"flag_{name}"] = vulnerability.classify(table, preset=name)["flag"].to_numpy()
        table = vulnerability.classify(table, preset=preset)
    return table
