"""Rebuild the demo world's calibration figures from the public files in the data folder.

Writes ``esc/sources/demo_calibration.py`` (small tables carried with their source; the
HS2022 code list itself is read from the data folder at run time, never committed). Run by
hand:

    python tools/build_demo_calibration.py [DATA_FOLDER]

Inputs (data folder): ``atlas-pci-hs92/hs92_product_year_4.csv`` (chapter totals of world
exports and chapter means of the PCI), ``atlas-complexitydata/atlas_eci.csv`` (country ECI),
``wits-india-mirror-hs2`` (India's imports by chapter and partner, mirror data) and
``harmonized-system/harmonized-system.csv``. Only aggregates are written: 97 chapter figures
per year, one ECI per country, India's five largest suppliers per chapter.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
YEARS = list(range(2015, 2024))


def main(folder: str | None = None) -> None:
    data = Path(folder) if folder else ROOT.parent / "shared" / "data-raw"
    hs = pd.read_csv(data / "harmonized-system/harmonized-system.csv", dtype=str)
    sub = hs[hs["level"] == "6"][["hscode", "description"]].rename(columns={"hscode": "hs6"})
    sub["description"] = sub["description"].str.replace(r"\s+", " ", regex=True).str.slice(0, 72)
    chapters = sorted(set(sub["hs6"].str[:2]))

    atlas = pd.read_csv(data / "atlas-pci-hs92/hs92_product_year_4.csv",
                        dtype={"product_hs92_code": str})
    atlas = atlas[atlas["product_hs92_code"].str.fullmatch(r"\d{4}")]
    atlas["hs2"] = atlas["product_hs92_code"].str[:2]
    tot = (atlas[atlas["year"].isin(YEARS)].groupby(["hs2", "year"])["export_value"].sum()
           .unstack().reindex(chapters) / 1e9)
    pci = atlas[atlas["year"] == 2021].groupby("hs2")["pci"].mean().reindex(chapters)

    eci = pd.read_csv(data / "atlas-complexitydata/atlas_eci.csv")
    eci = eci[eci["year"] == 2021].set_index("location_code")["eci_hs92"].round(2)

    sys.path.insert(0, str(ROOT))
    from esc.sources import wits

    w = wits.read(years=list(range(2019, 2024)))
    w = w.groupby(["hs2", "exporter"])["value_usd"].sum()
    lines = ['"""Calibration figures of the demo world, written by',
             'tools/build_demo_calibration.py (do not edit by hand): aggregates of public tables,',
             'each with its source."""', "",
             "# Atlas of Economic Complexity (Harvard Growth Lab), hs92_product_year_4.csv:",
             "# world exports of each HS chapter (sum of its HS92 headings), USD bn, 2015..2023,",
             "# and the mean PCI of its headings in 2021 (rounded to 0.1).",
             "CHAPTERS: dict[str, tuple[float, tuple[float, ...]]] = {"]
    for ch in chapters:
        vals = tot.loc[ch].fillna(0).tolist() if ch in tot.index else [0.0] * len(YEARS)
        p = 0.0 if pd.isna(pci.get(ch)) else round(float(pci[ch]), 1)
        shown = ", ".join(f"{float(f'{v:.3g}'):g}" for v in vals)
        lines.append(f'    "{ch}": ({p}, ({shown})),')
    lines += ["}", "",
              "# Atlas of Economic Complexity, country ECI (HS92) 2021, via the complexitydata R",
              "# package (atlas_eci.csv); Taiwan carried as S19, BACI's code.",
              "ECI: dict[str, float] = {"]
    items = [(("S19" if k == "TWN" else k), v) for k, v in eci.items()]
    for i in range(0, len(items), 6):
        lines.append("    " + " ".join(f'"{k}": {v},' for k, v in items[i:i + 6]))
    lines += ["}", "",
              "# World Bank WITS, partner-reported exports to India (mirror data), HS2 chapters,",
              "# 2019-2023 summed: India's imports of the chapter (USD bn) and the shares of its",
              "# five largest suppliers.",
              "INDIA_CHAPTERS: dict[str, tuple[float, dict[str, float]]] = {"]
    for ch in chapters:
        if ch not in w.index.get_level_values(0):
            continue
        s = w.loc[ch].sort_values(ascending=False)
        total = float(s.sum())
        top = ", ".join(f'"{k}": {v / total:.3f}' for k, v in s.head(5).items())
        lines.append(f'    "{ch}": ({total / 5 / 1e9:.4g}, {{{top}}}),')
    lines += ["}", ""]
    (ROOT / "esc/sources/demo_calibration.py").write_text("\n".join(lines))


if __name__ == "__main__":
    main(*sys.argv[1:2])
