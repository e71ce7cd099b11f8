"""Rebuild data/sectors.csv from the registry definition below and the UN HS tables.

Maintainer script, not part of the package. It expands HS2022 headings to their six-digit
codes using the HS2022 nomenclature, and adds HS2017 equivalents from the UNSD HS2022-HS2017
correlation table. Run it with the data folder that holds ``harmonized-system`` and
``hs-correlation-hs22-hs17``::

    python tools/build_registry.py ../shared/data-raw

Short names are written here; where none is written, the HS2022 description is shortened.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pandas as pd

# (origin, sector, product, HS2022 codes or 4-digit headings to expand)
REGISTRY: list[tuple[str, str, str, str]] = [
    ("study", "Digital and EE", "Generative AI", "847150 847330 854231 854232 851762"),
    ("study", "Digital and EE", "Semiconductors",
     "854231 854232 854233 854239 854110 854121 854129 854130 854141 854142 854143 854149 "
     "854151 854159 854190 848620 381800 280461"),
    ("study", "Digital and EE", "Flat-panel displays", "8524 901380 901390"),
    ("study", "Energy and critical minerals", "Solar power", "854142 854143 280461 381800 850440"),
    ("study", "Energy and critical minerals", "Batteries",
     "850760 850790 282520 283691 282200 810520 250410 380110 750110"),
    ("study", "Energy and critical minerals", "Permanent magnets",
     "850511 850519 280530 284610 284690"),
    ("study", "Bio-healthcare", "Pharmaceuticals", "2941 2936 2937 2939 300490"),
    ("study", "Industrial base", "Compressors", "841430 841440 841480 841490"),
    ("critical_minerals", "Critical minerals", "Rare earths", "280530 284610 284690"),
    ("critical_minerals", "Critical minerals", "Lithium", "253090 282520 283691"),
    ("critical_minerals", "Critical minerals", "Cobalt", "260500 282200 810520"),
    ("critical_minerals", "Critical minerals", "Nickel", "260400 750110 750210"),
    ("critical_minerals", "Critical minerals", "Graphite", "250410 380110"),
    ("critical_minerals", "Critical minerals", "Gallium and germanium", "811292"),
    ("fact_sheet", "Clean energy", "Wind turbines", "850231"),
    ("fact_sheet", "Clean energy", "Electrolysers", "854330"),
    ("fact_sheet", "Clean energy", "Ammonia", "281410"),
    ("fact_sheet", "ICT", "Telecom equipment", "851762 851771"),
    ("fact_sheet", "ICT", "Optical fibre", "900110 854470"),
]

SHORT_NAMES = {
    "847150": "Processing units (servers, computers)",
    "847330": "Parts of computers",
    "854231": "Processors and controllers (ICs)",
    "854232": "Memory ICs",
    "854233": "Amplifier ICs",
    "854239": "Other integrated circuits",
    "851762": "Network and data communication apparatus",
    "854110": "Diodes",
    "854121": "Transistors, < 1 W",
    "854129": "Transistors, other",
    "854130": "Thyristors, diacs, triacs",
    "854141": "Light-emitting diodes (LEDs)",
    "854142": "PV cells, not in modules",
    "854143": "PV cells in modules or panels",
    "854149": "Photosensitive devices, other",
    "854151": "Semiconductor-based transducers",
    "854159": "Semiconductor devices, other",
    "854190": "Parts of semiconductor devices",
    "848620": "Machines for making semiconductor devices or ICs",
    "381800": "Doped wafers for electronics",
    "280461": "Silicon, >= 99.99 % pure (polysilicon)",
    "852411": "Flat-panel display modules, LCD, no drivers",
    "852412": "Flat-panel display modules, OLED, no drivers",
    "852419": "Flat-panel display modules, other, no drivers",
    "852491": "Flat-panel display modules, LCD",
    "852492": "Flat-panel display modules, OLED",
    "852499": "Flat-panel display modules, other",
    "901380": "Liquid crystal and other optical devices",
    "901390": "Parts of liquid crystal and optical devices",
    "850440": "Static converters (inverters)",
    "850760": "Lithium-ion batteries",
    "850790": "Parts of batteries",
    "282520": "Lithium oxide and hydroxide",
    "283691": "Lithium carbonate",
    "282200": "Cobalt oxides and hydroxides",
    "810520": "Cobalt mattes, unwrought cobalt, powders",
    "250410": "Natural graphite, powder or flakes",
    "380110": "Artificial graphite",
    "750110": "Nickel mattes",
    "850511": "Permanent magnets, metal",
    "850519": "Permanent magnets, other",
    "280530": "Rare-earth metals, scandium, yttrium",
    "284610": "Cerium compounds",
    "284690": "Rare-earth compounds (excl. cerium)",
    "294110": "Penicillins",
    "294120": "Streptomycins",
    "294130": "Tetracyclines",
    "294140": "Chloramphenicol",
    "294150": "Erythromycin",
    "294190": "Antibiotics, other",
    "300490": "Medicaments, other, in doses",
    "841430": "Refrigeration compressors",
    "841440": "Air compressors on wheeled chassis",
    "841480": "Pumps and compressors, other",
    "841490": "Parts of pumps and compressors",
    "253090": "Mineral substances n.e.c. (incl. lithium ores)",
    "260500": "Cobalt ores and concentrates",
    "260400": "Nickel ores and concentrates",
    "750210": "Nickel, unwrought, not alloyed",
    "811292": "Gallium, germanium, indium etc., unwrought",
    "850231": "Wind-powered generating sets",
    "854330": "Electrolysis machines (electrolysers)",
    "281410": "Ammonia, anhydrous",
    "851771": "Aerials and antennas",
    "900110": "Optical fibres and cables",
    "854470": "Optical fibre cables",
}

MAX_NN = 3  # n:n correlations with more HS2017 codes than this are not a usable equivalent


def _shorten(description: str, width: int = 70) -> str:
    text = " ".join(description.split())
    return text if len(text) <= width else text[: width - 1].rstrip(" ,;") + "…"


def main(raw: Path) -> None:
    hs = pd.read_csv(raw / "harmonized-system" / "harmonized-system.csv", dtype=str)
    h6 = hs[hs["level"] == "6"].set_index("hscode")["description"]
    corr = pd.read_csv(raw / "hs-correlation-hs22-hs17" / "hs2022_hs2017_correlation.csv",
                       dtype=str)
    rows = []
    for origin, sector, product, spec in REGISTRY:
        codes: list[str] = []
        for token in spec.split():
            codes += [c for c in h6.index if c.startswith(token)] if len(token) == 4 else [token]
        for code in codes:
            if code not in h6.index:
                raise SystemExit(f"{code} is not an HS2022 code")
            name = SHORT_NAMES.get(code) or _shorten(h6[code])
            rows.append([origin, sector, product, code, "HS22", name, "HS2022 nomenclature"])
            links = corr[corr["HS2022"] == code]
            rel = set(links["Relationship"])
            if len(links) > MAX_NN:
                continue  # no clean HS2017 equivalent; the notes column of HS22 row says so
            for hs17 in links["HS2017"]:
                rows.append([origin, sector, product, hs17, "HS17", name,
                             f"UNSD HS2022-HS2017 correlation of {code} ({'/'.join(sorted(rel))})"])
    df = pd.DataFrame(rows, columns=["origin", "sector", "product", "hs6", "hs_rev",
                                     "short_name", "basis"])
    df = df.drop_duplicates(["origin", "sector", "product", "hs6", "hs_rev"])
    out = Path(__file__).resolve().parents[1] / "data" / "sectors.csv"
    df.to_csv(out, index=False, quoting=csv.QUOTE_MINIMAL)
    print(f"wrote {len(df)} rows to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data-raw"))
