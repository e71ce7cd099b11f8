"""The data facade: load_flows, import_file, fetch, list_available, provenance.

Bad-input tests check three things each: the named error, a message naming the file and
(where the format has lines) the line and column, and a cache left exactly as it was.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from conftest import _require
from esc import cache, data
from esc.config import cache_dir
from esc.errors import (
    BadValueError,
    CorruptFileError,
    DataNotFoundError,
    DownloadError,
    MissingColumnError,
    UnknownCountryError,
    UnknownReleaseError,
)
from esc.schema import DEMO_LABEL
from esc.sources import atlas, baci, comtrade, wits

from _fixtures import (
    EXAMPLE,
    baci_csv_text,
    example_rows,
    http_server,
    relabel,
    tree,
    write_baci_zip,
)


@pytest.fixture(scope="module")
def root():
    """The data folder with the genuine files (skips or fails without it)."""
    return _require("baci-example-zaf-afg").parent


@pytest.fixture(scope="module")
def rows(root):
    return example_rows(root)


@pytest.fixture
def release_zip(tmp_path, root, rows):
    """A CEPII-layout zip: genuine 2021 rows, and the same rows relabelled 2020."""
    return write_baci_zip(tmp_path / "BACI_HS92_V202301.zip", root,
                          {2020: relabel(rows[:20000], 2020), 2021: rows})


# --------------------------------------------------------------------------- demo


def test_demo_is_loaded_lazily_with_the_filters(monkeypatch):
    import esc.sources.demo as demo_module

    calls = []

    def load(**kwargs):
        calls.append(kwargs)
        return "demo flows"

    monkeypatch.setattr(demo_module, "load", load)
    got = data.load_flows("demo", years=[2022], reporters=["IND"], hs6=["850760"])
    assert got == "demo flows"
    assert calls == [{"years": (2022,), "reporters": ("IND",), "exporters": None,
                      "hs6": ("850760",)}]
    with pytest.raises(BadValueError, match="HS6"):
        data.load_flows("demo", product_level="hs2")


def test_importing_the_facade_does_not_import_demo():
    # sources register on first use, so importing the facade reads no source module
    code = "import sys, esc.data; print('esc.sources.demo' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


# --------------------------------------------------------------------------- BACI


def test_import_baci_zip_then_load(release_zip):
    folder = data.import_file(release_zip)
    assert folder == cache_dir() / "baci" / "V202301"
    assert sorted(p.name for p in folder.glob("*.parquet")) == ["HS92_Y2020.parquet",
                                                                "HS92_Y2021.parquet"]
    prov = cache.read_provenance(folder / "HS92_Y2021.parquet")
    assert prov["sha256"] == hashlib.sha256(release_zip.read_bytes()).hexdigest()
    assert (prov["hs_rev"], prov["year"], prov["release"]) == ("HS92", 2021, "V202301")
    got = data.load_flows("baci", years=[2021], reporters=["IND"])
    expected = baci.read(release_zip, years=[2021], reporters=["IND"])
    keys = ["year", "exporter", "importer", "hs6"]
    pd.testing.assert_frame_equal(got.sort_values(keys, ignore_index=True),
                                  expected.sort_values(keys, ignore_index=True))
    # the cache holds each year clustered: year, importer, product, exporter
    stored = pd.read_parquet(folder / "HS92_Y2021.parquet")
    order = ["year", "importer", "hs6", "exporter"]
    pd.testing.assert_frame_equal(stored, stored.sort_values(order, ignore_index=True))
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".")]
    assert len(data.load_flows("baci", years=[2020])) == 20000
    both = data.load_flows("baci", exporters=["AFG"], hs6=["130190"])
    assert set(both["year"]) == {2020, 2021}


def test_import_genuine_csv_needs_release_and_revision(root, rows):
    source = root / EXAMPLE
    with pytest.raises(BadValueError, match="release") as err:
        data.import_file(source)
    assert str(source) in str(err.value)
    assert tree(cache_dir()) == {}
    data.import_file(source, release="V202301", hs="HS92")
    assert len(data.load_flows("baci")) == len(rows)


def test_baci_unknown_release_and_year(release_zip):
    with pytest.raises(DataNotFoundError, match="esc data fetch baci"):
        data.load_flows("baci")
    data.import_file(release_zip)
    with pytest.raises(UnknownReleaseError, match="V202301") as err:
        data.load_flows("baci", release="V202501")
    assert "V202501" in str(err.value)
    with pytest.raises(UnknownReleaseError, match="2020, 2021") as err:
        data.load_flows("baci", years=[2021, 1999])
    assert "1999" in str(err.value)
    with pytest.raises(UnknownReleaseError, match="HS92"):
        data.load_flows("baci", hs="HS22")


def test_unknown_source():
    with pytest.raises(UnknownReleaseError, match="demo, baci, comtrade, wits-india"):
        data.load_flows("cepii")
    with pytest.raises(UnknownReleaseError, match="baci, comtrade, wits-india, dgcis, meidb, "
                       "atlas, hs"):
        data.fetch("cepii")
    with pytest.raises(DownloadError, match="esc data import"):  # imported, not fetched
        data.fetch("comtrade")
    with pytest.raises(UnknownReleaseError):
        data.provenance("nope")


# --------------------------------------------------------------------------- Comtrade, WITS


def test_import_comtrade_files():
    sample = _require("comtrade-cmm-sample")
    for name in ("lithium", "cobalt", "heavy_ree", "light_ree"):
        data.import_file(sample / f"{name}_trade_data.csv")
    got = data.load_flows("comtrade")
    parts = [comtrade.read_csv(sample / f"{n}_trade_data.csv", product_level="hs6")
             for n in ("cobalt", "heavy_ree", "lithium")]  # light_ree repeats heavy_ree
    expected = pd.concat(parts, ignore_index=True)
    key = ["year", "exporter", "importer", "hs6", "hs_rev"]
    pd.testing.assert_frame_equal(got.sort_values(key).reset_index(drop=True),
                                  expected.sort_values(key).reset_index(drop=True))
    hs4 = data.load_flows("comtrade", product_level="hs4", years=[2022])
    assert set(hs4["hs4"]) == {"8105", "2846"} and set(hs4["year"]) == {2022}
    with pytest.raises(UnknownReleaseError, match="2020-2024"):
        data.load_flows("comtrade", years=[2019])


def _comtrade_key(frame: pd.DataFrame, level: str) -> set[tuple]:
    return set(frame[["year", "exporter", "importer", level, "hs_rev", "value_usd"]]
               .itertuples(index=False, name=None))


def test_two_comtrade_files_with_the_same_name_both_kept(tmp_path):
    """Two different files called trade.csv: the second import must not replace the first."""
    sample = _require("comtrade-cmm-sample")
    first, second = tmp_path / "a" / "trade.csv", tmp_path / "b" / "trade.csv"
    for src, dst in (("cobalt", first), ("copper", second)):
        dst.parent.mkdir()
        shutil.copy(sample / f"{src}_trade_data.csv", dst)
    data.import_file(first)
    data.import_file(second)
    got = data.load_flows("comtrade", product_level="hs4")
    want = _comtrade_key(comtrade.read_csv(first, product_level="hs4"), "hs4") | \
        _comtrade_key(comtrade.read_csv(second, product_level="hs4"), "hs4")
    assert _comtrade_key(got, "hs4") == want
    assert len(got) == len(want)


def test_comtrade_entry_names_do_not_collide(tmp_path):
    """``cobalt_trade_data_hs4.csv`` (6-digit rows) must not land in the hs4 entry of
    ``cobalt_trade_data.csv``: entries are named by file, level and content hash."""
    sample = _require("comtrade-cmm-sample")
    cobalt = sample / "cobalt_trade_data.csv"
    other = tmp_path / "cobalt_trade_data_hs4.csv"
    shutil.copy(sample / "gallium_trade_data.csv", other)
    data.import_file(cobalt)
    data.import_file(other)
    hs4 = data.load_flows("comtrade", product_level="hs4")
    assert _comtrade_key(hs4, "hs4") == _comtrade_key(
        comtrade.read_csv(cobalt, product_level="hs4"), "hs4")
    hs6 = data.load_flows("comtrade")
    assert _comtrade_key(hs6, "hs6") == _comtrade_key(
        comtrade.read_csv(cobalt, product_level="hs6"), "hs6") | _comtrade_key(
        comtrade.read_csv(other, product_level="hs6"), "hs6")
    sha = hashlib.sha256(cobalt.read_bytes()).hexdigest()[:16]
    names = sorted(e["name"] for e in cache.entries("comtrade"))
    assert f"cobalt_trade_data__hs4__{sha}" in names


def test_reimporting_a_file_replaces_only_its_own_entries(tmp_path):
    sample = _require("comtrade-cmm-sample")
    data.import_file(sample / "cobalt_trade_data.csv")
    data.import_file(sample / "nickel_trade_data.csv")
    before = {e["name"]: e["sha256"] for e in cache.entries("comtrade")}
    nickel = [e for e in cache.entries("comtrade") if e["name"].startswith("nickel")]
    nickel_bytes = {e["name"]: Path(e["path_parquet"]).read_bytes() for e in nickel}
    data.import_file(sample / "cobalt_trade_data.csv")
    after = {e["name"]: e["sha256"] for e in cache.entries("comtrade")}
    assert after == before
    assert {e["name"]: Path(e["path_parquet"]).read_bytes() for e in nickel} == nickel_bytes


def test_import_comtrade_json(tmp_path):
    sample = _require("comtrade-cmm-sample")
    frame = pd.read_csv(sample / "graphite_trade_data.csv", dtype={"cmdCode": str})
    answer = tmp_path / "graphite.json"
    answer.write_text(json.dumps({"data": json.loads(frame.to_json(orient="records"))}))
    data.import_file(answer)
    pd.testing.assert_frame_equal(data.load_flows("comtrade"),
                                  comtrade.read_csv(sample / "graphite_trade_data.csv"))


def test_wits_india_from_data_folder_and_import(tmp_path, monkeypatch):
    folder = _require(wits.FOLDER)
    got = data.load_flows("wits-india", years=[2022], exporters=["CHN"])
    assert len(got) > 90 and set(got["importer"]) == {"IND"}
    with pytest.raises(BadValueError, match="hs2"):
        data.load_flows("wits-india", hs6=["850760"])
    with pytest.raises(UnknownReleaseError, match="2007-2024"):
        data.load_flows("wits-india", years=[2030])
    # without the data folder, an imported zip is what wits-india reads
    one = sorted(folder.glob("*.ZIP"))[0]
    monkeypatch.setenv("ESC_DATA_DIR", str(tmp_path))
    with pytest.raises(DataNotFoundError, match="wits-india-mirror-hs2"):
        data.load_flows("wits-india")
    data.import_file(one)
    pd.testing.assert_frame_equal(
        data.load_flows("wits-india").sort_values(["year", "exporter", "hs2"])
        .reset_index(drop=True),
        wits.parse([one]).sort_values(["year", "exporter", "hs2"]).reset_index(drop=True))


# --------------------------------------------------------------------------- fetch


def test_fetch_baci_from_a_local_server(tmp_path, root, rows):
    zipped = write_baci_zip(tmp_path / "BACI_HS92_V202301.zip", root, {2021: rows[:5000]})
    payload = zipped.read_bytes()
    with http_server({"/BACI_HS92_V202301.zip": payload}) as (url, _):
        folder = data.fetch("baci", release="V202301", hs="HS92",
                            url=url + "/BACI_HS92_V202301.zip",
                            sha256=hashlib.sha256(payload).hexdigest(), progress=False)
    assert folder == cache_dir() / "baci" / "V202301"
    assert (cache_dir() / "downloads" / "baci" / "BACI_HS92_V202301.zip").read_bytes() == payload
    prov = data.provenance("baci")["entries"][0]
    assert prov["url"].endswith("/BACI_HS92_V202301.zip")
    assert len(data.load_flows("baci")) == 5000


def test_fetch_rejects_bad_release_before_any_download():
    with pytest.raises(UnknownReleaseError, match="malformed"):
        data.fetch("baci", release="V2025")
    with pytest.raises(UnknownReleaseError, match="HS23"):
        data.fetch("baci", hs="HS23")
    assert not (cache_dir() / "downloads").exists()


def test_fetch_atlas_needs_a_url_and_checks_the_file(tmp_path, monkeypatch):
    with pytest.raises(DownloadError, match="--url") as err:
        data.fetch("atlas")
    assert "dataverse.harvard.edu" in str(err.value)
    with pytest.raises(DownloadError, match=r"unstats\.un\.org"):
        data.fetch("hs")
    pci = _require("atlas-pci-hs92") / atlas.PCI_FILE
    with http_server({"/api/access/datafile/42": pci.read_bytes(),
                      "/junk.csv": b"a,b\n1,2\n"}) as (url, _):
        path = data.fetch("atlas", url=url + "/api/access/datafile/42?format=original",
                          progress=False)
        with pytest.raises(BadValueError, match="not an Atlas"):
            data.fetch("atlas", url=url + "/junk.csv", progress=False)
    assert path == cache.files_dir("atlas") / atlas.PCI_FILE
    assert [p.name for p in cache.files_dir("atlas").iterdir()] == [atlas.PCI_FILE]
    monkeypatch.setenv("ESC_DATA_DIR", str(tmp_path))  # only the fetched copy is left
    pd.testing.assert_frame_equal(atlas.read_pci(), atlas.read_pci(pci))


def test_fetch_hs_correlation(tmp_path, monkeypatch):
    from esc.sources import hs

    corr = _require("hs-correlation-hs22-hs17") / "hs2022_hs2017_correlation.csv"
    with http_server({"/tables/corr.csv": corr.read_bytes()}) as (url, _):
        path = data.fetch("hs", url=url + "/tables/corr.csv", progress=False)
    assert path.name == "hs2022_hs2017_correlation.csv"
    monkeypatch.setenv("ESC_DATA_DIR", str(tmp_path))
    assert len(hs.correlation_hs22_hs17()) == 15657


# --------------------------------------------------------------------------- listing


def test_list_available_and_provenance(release_zip):
    data.import_file(release_zip)
    listing = data.list_available()
    assert list(listing.columns) == ["source", "release", "name", "rows", "years", "created",
                                     "path", "provenance"]
    baci_rows = listing[(listing["source"] == "baci") & (listing["release"] == "V202301")]
    assert baci_rows["name"].tolist() == ["HS92_Y2020", "HS92_Y2021"]
    assert baci_rows["rows"].tolist() == [20000, 71192]
    assert baci_rows["years"].tolist() == ["2020", "2021"]
    folder_rows = listing[listing["release"] == "data folder"]
    assert "wits-india-mirror-hs2" in set(folder_rows["name"])
    demo = listing[listing["source"] == "demo"].iloc[0]
    assert demo["provenance"]["label"] == DEMO_LABEL
    prov = data.provenance("baci")
    assert prov["licence"] == baci.LICENCE and len(prov["entries"]) == 2
    assert {e["sha256"] for e in prov["entries"]} == {
        hashlib.sha256(release_zip.read_bytes()).hexdigest()}
    with pytest.raises(DataNotFoundError):
        data.provenance("comtrade")


# --------------------------------------------------------------------------- bad input


def _bad_csv(tmp_path, rows, *, column=None, value=None, line=None, header=None):
    bad = [list(r) for r in rows[:500]]
    if column is not None:
        bad[line - 2][column] = value
    path = tmp_path / "bad" / "BACI_HS92_Y2021_V202301.csv"
    path.parent.mkdir(exist_ok=True)
    path.write_text(baci_csv_text([r[: len(header)] for r in bad] if header else bad, header))
    return path


@pytest.mark.parametrize("case,cls,line,column", [
    ("missing column", MissingColumnError, 1, "q"),
    ("non-numeric value", BadValueError, 77, "v"),
    ("unknown country", UnknownCountryError, 120, "i"),
    ("bad HS code", BadValueError, 301, "k"),
])
def test_bad_baci_input_writes_nothing(tmp_path, release_zip, rows, case, cls, line, column):
    data.import_file(release_zip)
    before = tree(cache_dir())
    if case == "missing column":
        path = _bad_csv(tmp_path, rows, header=["t", "i", "j", "k", "v"])
    else:
        col, value = {"non-numeric value": (4, "1.5e"), "unknown country": (1, "998"),
                      "bad HS code": (3, "99999999")}[case]
        path = _bad_csv(tmp_path, rows, column=col, value=value, line=line)
    with pytest.raises(cls) as err:
        data.import_file(path)
    assert (err.value.line, err.value.column) == (line, column)
    assert str(path) in str(err.value)
    assert tree(cache_dir()) == before


def test_bad_comtrade_input_writes_nothing(tmp_path):
    sample = _require("comtrade-cmm-sample")
    data.import_file(sample / "gallium_trade_data.csv")
    before = tree(cache_dir())
    lines = (sample / "gallium_trade_data.csv").read_text().splitlines()
    col = lines[0].split(",").index("primaryValue")
    cells = lines[9].split(",")
    cells[col] = "twelve"
    lines[9] = ",".join(cells)
    bad = tmp_path / "gallium_trade_data.csv"
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(BadValueError) as err:
        data.import_file(bad)
    assert (err.value.line, err.value.column) == (10, "primaryValue")
    assert str(bad) in str(err.value)
    assert tree(cache_dir()) == before


@pytest.mark.parametrize("which", ["baci", "wits"])
def test_truncated_zip_writes_nothing(tmp_path, release_zip, which):
    data.import_file(release_zip)
    before = tree(cache_dir())
    source = release_zip if which == "baci" else sorted(
        _require(wits.FOLDER).glob("*.ZIP"))[0]
    blob = source.read_bytes()
    cut = tmp_path / "cut" / source.name
    cut.parent.mkdir()
    cut.write_bytes(blob[: len(blob) // 2])
    with pytest.raises(CorruptFileError, match="truncated") as err:
        data.import_file(cut)
    assert str(cut) in str(err.value)
    assert tree(cache_dir()) == before


def test_error_in_a_later_year_writes_no_year(tmp_path, root, rows):
    broken = [list(r) for r in rows[:100]]
    broken[49][2] = "12345"
    zipped = write_baci_zip(tmp_path / "BACI_HS92_V202301.zip", root,
                            {2020: relabel(rows[:3000], 2020), 2021: broken})
    with pytest.raises(UnknownCountryError, match=r"Y2021_V202301\.csv, line 51"):
        data.import_file(zipped)
    assert tree(cache_dir()) == {}


def test_unrecognised_file(tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(BadValueError, match="not a file esc can import") as err:
        data.import_file(path)
    assert err.value.line == 1
    empty_zip = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty_zip, "w") as zf:
        zf.writestr("readme.txt", "nothing")
    with pytest.raises(BadValueError, match="expected a file of: baci, comtrade, wits-india"):
        data.import_file(empty_zip)
    with pytest.raises(DataNotFoundError):
        data.import_file(tmp_path / "missing.zip")
    assert tree(cache_dir()) == {}
