"""The source interface: a new source is one class plus one registration, and every door of
esc (load_flows, esc data list, esc dependence --source, the label) then knows it."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest

from esc import data, label, source
from esc.cli import main
from esc.errors import BadValueError, UnknownReleaseError, UnknownSourceError
from esc.schema import DEMO_LABEL, validate_flows
from esc.sources import demo as demo_source

# India's 2022 imports of two registry products from a made-up publisher, USD.
TOY_ROWS = [
    ("CHN", "850760", 50e6), ("KOR", "850760", 30e6), ("JPN", "850760", 20e6),
    ("CHN", "280530", 90e6), ("MMR", "280530", 10e6),
]


class ToySource(source.BaseSource):
    """The whole of a new source: what it is, and how it reads (with the query's filters)."""

    name, title, publisher, licence = "toy", "Toy trade statistics", "the tests", "CC0"

    def load(self, query: source.Query) -> pd.DataFrame:
        flows = pd.DataFrame(
            [{"year": 2022, "exporter": e, "importer": "IND", "hs6": k, "hs_rev": "HS22",
              "value_usd": v, "quantity_t": float("nan")} for e, k, v in TOY_ROWS])
        for column, wanted in (("year", query.years), ("importer", query.reporters),
                               ("exporter", query.exporters), ("hs6", query.products)):
            if wanted is not None:
                flows = flows[flows[column].isin(wanted)]
        return self.finish(validate_flows(flows.reset_index(drop=True), source="toy"))


@pytest.fixture
def toy():
    registered = source.register(ToySource())
    yield registered
    source.unregister("toy")


def _hhi(rows, product):
    """Herfindahl-Hirschman index of one product's suppliers, by hand: sum of squared shares."""
    values = [v for _, k, v in rows if k == product]
    return sum((v / sum(values)) ** 2 for v in values)


def test_a_registered_source_is_read_through_load_flows(toy):
    flows = data.load_flows("toy", years=[2022], exporters=["CHN"])
    assert sorted(flows["hs6"]) == ["280530", "850760"]
    assert flows.attrs["label"] == "Toy trade statistics"
    assert not label.is_demo(flows)
    assert data.product_level("toy") == "hs6"
    with pytest.raises(BadValueError, match="HS6 level only"):
        data.load_flows("toy", product_level="hs2")


def test_a_registered_source_is_listed_and_chosen_by_the_cli(toy, capsys):
    assert main(["data", "list", "--format", "csv"]) == 0
    listing = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["name"] for r in listing if r["source"] == "toy"] == ["Toy trade statistics"]
    code = main(["dependence", "--source", "toy", "--reporter", "IND", "--year", "2022",
                 "--format", "json"])
    assert code == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["label"] == "Toy trade statistics" and payload["source"] == "toy"
    got = {r["hs6"]: r["hhi"] for r in payload["rows"]}
    assert got == pytest.approx({"850760": _hhi(TOY_ROWS, "850760"),
                                 "280530": _hhi(TOY_ROWS, "280530")}, abs=1e-12)


def test_unregistered_source_is_named_with_the_known_ones(toy):
    source.unregister("toy")
    with pytest.raises(UnknownSourceError, match="demo, baci, comtrade"):
        data.load_flows("toy")
    assert issubclass(UnknownSourceError, UnknownReleaseError)  # old except clauses still work
    with pytest.raises(SystemExit) as stop:  # argparse: no longer among the choices
        main(["dependence", "--source", "toy"])
    assert stop.value.code == 2
    source.register(ToySource())


def test_two_sources_of_one_name_are_refused(toy):
    with pytest.raises(ValueError, match="already registered"):
        source.register(ToySource())
    with pytest.raises(TypeError, match="Source interface"):
        source.register(object())  # type: ignore[arg-type]


def test_every_builtin_source_provides_the_interface():
    for src in source.all_sources():
        assert isinstance(src, source.Source)
        assert src.name and src.title and src.publisher and src.licence
        assert src.product_level in src.levels
    assert source.names() == ("demo", "baci", "comtrade", "wits-india", "dgcis", "meidb")
    assert source.names(flows=False) == ("atlas", "hs")


# --------------------------------------------------------------------------- the label model


def test_label_is_decided_by_the_source_and_read_by_one_function():
    demo = data.load_flows("demo", years=[2023], reporters=["IND"], hs6=["850760"])
    assert label.is_demo(demo) and demo.attrs["label"] == DEMO_LABEL
    found = label.label_of(demo)
    assert (found.source, found.release, found.product_level) == ("demo", demo_source.RELEASE,
                                                                  "hs6")
    # a derived table keeps the label when a step carries it, changed where it must be
    chapters = label.carry(demo, demo.assign(hs2=demo["hs6"].str[:2]), product_level="hs2")
    assert label.label_of(chapters).product_level == "hs2" and label.is_demo(chapters)
    # a manifest or JSON payload holds the label as a dict; the same function reads it
    assert label.is_demo({"label": found.as_dict()})
    assert not label.is_demo({"label": label.Label("baci", "CEPII BACI", release="V202501")
                              .as_dict()})


def test_baci_release_vdemo_is_labelled_demo_and_real_releases_are_not(tmp_path):
    assert data.label("baci", "V202501").text == "CEPII BACI V202501"
    assert not data.label("baci", "V202501").demo
    zipped = demo_source.write_baci_zip(tmp_path / "BACI_HS22_VDEMO.zip", years=(2023,))
    data.import_file(zipped)
    assert data.label("baci").demo  # the newest cached release is VDEMO
    flows = data.load_flows("baci", years=[2023], reporters=["JPN"])
    assert label.is_demo(flows) and flows.attrs["label"] == DEMO_LABEL
