"""The real-data path end to end: a BACI release is downloaded from a local HTTP server with
``esc data fetch baci --url``, imported, and analysed with ``--source baci``. The release is
the demo world written in CEPII's layout, so the numbers must equal the demo path's, and the
label must still say demo data."""

from __future__ import annotations

import hashlib
import io

import pandas as pd
import pytest

from esc.cli import main
from esc.schema import DEMO_LABEL
from esc.sources import demo

from _fixtures import http_server


@pytest.fixture
def served_release(tmp_path):
    path = demo.write_baci_zip(tmp_path / "BACI_HS22_VDEMO.zip", years=(2022, 2023))
    payload = path.read_bytes()
    with http_server({"/BACI_HS22_VDEMO.zip": payload}) as (url, state):
        yield url + "/BACI_HS22_VDEMO.zip", hashlib.sha256(payload).hexdigest(), state


def _dependence(capsys, source: str) -> pd.DataFrame:
    code = main(["dependence", "--reporter", "IND", "--reporter", "JPN", "--year", "2023",
                 "--source", source, "--format", "csv"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return pd.read_csv(io.StringIO(out), dtype={"hs6": str})


def test_fetch_import_and_analyse_a_baci_release(capsys, served_release):
    url, sha, state = served_release
    state["cut"]["/BACI_HS22_VDEMO.zip"] = 1  # the first answer breaks off: resume must work
    code = main(["data", "fetch", "baci", "--release", "VDEMO", "--hs", "HS22", "--url", url,
                 "--sha256", sha, "--no-progress"])
    _, err = capsys.readouterr()
    assert code == 0, err
    assert any(r for _, r in state["requests"] if r), "the second request resumed with Range"
    via_baci = _dependence(capsys, "baci")
    via_demo = _dependence(capsys, "demo")
    assert (via_baci["data_label"] == DEMO_LABEL).all()
    key = ["importer", "hs6"]
    a = via_baci.set_index(key).sort_index()
    b = via_demo.set_index(key).sort_index()
    assert a.index.equals(b.index)
    # BACI stores thousands of USD with 3 decimals: each flow is rounded to the dollar, so
    # totals agree within a few dollars and HHI within 1e-5 (small flows carry the rounding)
    assert a["imports_usd"].to_numpy() == pytest.approx(b["imports_usd"].to_numpy(), abs=50.0)
    assert a["hhi"].to_numpy() == pytest.approx(b["hhi"].to_numpy(), abs=1e-5)
    assert (a["category"] == b["category"]).all()
    assert (a["top1_partner"] == b["top1_partner"]).all()


def test_data_list_shows_the_fetched_release(capsys, served_release):
    url, _, _ = served_release
    assert main(["data", "fetch", "baci", "--release", "VDEMO", "--hs", "HS22", "--url", url,
                 "--no-progress"]) == 0
    capsys.readouterr()
    assert main(["data", "list", "--format", "csv"]) == 0
    listing = capsys.readouterr().out
    assert "VDEMO" in listing and "baci" in listing


def test_fetch_with_wrong_checksum_leaves_nothing(capsys, served_release):
    from esc.config import cache_dir

    url, _, _ = served_release
    code = main(["data", "fetch", "baci", "--release", "VDEMO", "--hs", "HS22", "--url", url,
                 "--sha256", "0" * 64, "--no-progress"])
    _, err = capsys.readouterr()
    assert code == 2 and "sha256" in err.lower()
    assert not (cache_dir() / "baci").exists() or not any((cache_dir() / "baci").rglob("*.parquet"))
