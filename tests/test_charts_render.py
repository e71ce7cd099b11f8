"""How esc renders its charts: one conversion per chart, the same pixels and specs as altair's
own path, and valid Vega-Lite (checked here, since :func:`esc.charts.save` no longer
validates the specs esc builds).

The references are altair's and vl-convert's own functions called directly: the nested
``alt.vconcat`` frame, ``vl_convert.vegalite_to_png``, altair's ``png`` renderer, and the
Vega-Lite JSON schema that altair ships, read with ``jsonschema``.
"""

from __future__ import annotations

import json
from importlib.resources import files

import altair as alt
import jsonschema
import pandas as pd
import pytest
import referencing
import vl_convert
from altair.vegalite.v6.api import TopLevelMixin
from test_charts import _every_chart, _flows, _quadrant_table

from esc import charts
from esc.charts import frame
from esc.charts.style import DEMO_RED, MUTED, esc_theme


@pytest.fixture(scope="module")
def schema_validator() -> jsonschema.protocols.Validator:
    """A validator of altair's bundled Vega-Lite schema (draft 7), as ``jsonschema`` reads it."""
    text = files("altair.vegalite.v6.schema").joinpath("vega-lite-schema.json").read_text()
    schema = json.loads(text)
    resource = referencing.Resource.from_contents(schema, referencing.jsonschema.DRAFT7)
    registry = referencing.Registry().with_resource("", resource)
    return jsonschema.Draft7Validator(schema, registry=registry)


def test_every_chart_spec_is_valid_vega_lite(schema_validator):
    for name, chart in _every_chart().items():
        spec = frame._spec(chart)  # what save renders: not validated by save itself
        errors = sorted(schema_validator.iter_errors(spec), key=str)
        assert not errors, f"{name}: {errors[0].message[:300]}"


def test_an_invalid_spec_is_caught_by_the_schema_check(schema_validator):
    # the check above can fail: a mark type Vega-Lite does not have
    spec = frame._spec(charts.supplier_bars(_flows()))
    spec["vconcat"][0]["vconcat"][0]["mark"] = {"type": "no-such-mark"}
    assert list(schema_validator.iter_errors(spec))


def test_figure_spec_is_the_spec_of_altairs_nested_vconcat():
    # esc's frame without altair's copying gives the spec altair's own nesting gives
    table = _quadrant_table()
    opts = {"title": "Title", "subtitle": "Sub", "source": "demo"}
    store: frame.Store = {}
    body = alt.Chart(frame.inline(pd.DataFrame({"x": [1, 2], "y": [3, 4]}), store)
                     ).mark_point().encode(x="x:Q", y="y:Q")
    ours = frame.finish(body, table, opts, dict(store))
    footer = frame.note(frame.source_line(table, source="demo"), orient="bottom",
                        colour=MUTED, bold=False)
    demo = frame.note(frame.DEMO_MARK, orient="top", colour=DEMO_RED, bold=True)
    theirs = alt.vconcat(alt.vconcat(alt.vconcat(body, title=footer), title=demo),
                         title=alt.Title(text="Title", subtitle=["Sub"])
                         ).configure(**esc_theme()["config"])
    theirs.datasets = dict(store)
    assert ours.to_dict() == theirs.to_dict()
    assert ours.to_dict()["data"] == {"name": next(iter(store))}  # shared data moved up


def test_saved_png_is_vl_converts_png_of_the_spec(tmp_path):
    chart = charts.quadrant(_quadrant_table(), hhi_cut=0.4, pci_cut=0.5)
    png, svg = charts.save(chart, tmp_path, "quadrant")
    spec = chart.to_dict()
    reference = vl_convert.vegalite_to_png(spec, vl_version=frame._vl_version(), scale=2)
    assert png.read_bytes() == reference
    assert svg.read_text(encoding="utf-8") == vl_convert.vegalite_to_svg(
        spec, vl_version=frame._vl_version())


@pytest.fixture
def png_renderer():
    before = alt.renderers.active
    alt.renderers.enable("png")
    yield
    alt.renderers.enable(before)


def test_display_after_save_shows_what_altairs_png_renderer_shows(tmp_path, png_renderer,
                                                                  monkeypatch):
    chart = charts.supplier_bars(_flows())
    charts.save(chart, tmp_path, "bars")
    reference = TopLevelMixin._repr_mimebundle_(chart)  # altair's own conversion
    calls = []
    monkeypatch.setattr(frame.vl_convert, "vegalite_to_png",
                        lambda *a, **k: calls.append(1) or b"")
    shown = chart._repr_mimebundle_()
    assert shown[0]["image/png"] == reference[0]["image/png"]
    assert shown[1] == reference[1]
    assert calls == []  # drawn from the saved rendering, not converted again


def test_a_chart_changed_after_save_is_converted_again(tmp_path, png_renderer):
    chart = charts.supplier_bars(_flows())
    charts.save(chart, tmp_path, "bars")
    before = chart._repr_mimebundle_()[0]["image/png"]
    chart.title = alt.Title(text="Another title")  # changed in place after saving
    shown = chart._repr_mimebundle_()
    assert shown[0]["image/png"] != before
    assert shown[0]["image/png"] == TopLevelMixin._repr_mimebundle_(chart)[0]["image/png"]


def test_a_chart_built_elsewhere_is_validated_when_saved(tmp_path):
    bad = alt.Chart(pd.DataFrame({"x": [1]})).mark_point().encode(x="x:Q")
    bad["width"] = "wide"  # not a number nor "container"
    with pytest.raises(Exception, match="wide"):
        charts.save(bad, tmp_path, "bad")
