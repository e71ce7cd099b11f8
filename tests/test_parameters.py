"""Notebook list parameters as people type them (papermill -p passes strings)."""

from __future__ import annotations

import pytest

from esc.errors import BadValueError, UnknownCountryError
from esc.parameters import as_countries, as_list


@pytest.mark.parametrize("given, want", [
    ("JPN", ["JPN"]),                      # the symptom: it used to become ['J', 'P', 'N']
    ("IND,JPN", ["IND", "JPN"]),
    (" IND , JPN ", ["IND", "JPN"]),
    ("IND JPN", ["IND", "JPN"]),
    ('["IND", "JPN"]', ["IND", "JPN"]),
    (["IND", "JPN"], ["IND", "JPN"]),
    (("IND",), ["IND"]),
    (None, []),
    ("", []),
    ("Digital and EE", ["Digital and EE"]),
    ("Digital and EE; Bio-healthcare", ["Digital and EE", "Bio-healthcare"]),
])
def test_as_list_accepts_every_spelling(given, want):
    assert as_list(given) == want


def test_as_countries_upper_cases_and_checks():
    assert as_countries("ind,jpn") == ["IND", "JPN"]
    with pytest.raises(UnknownCountryError):
        as_countries("IND,XYZ")
    with pytest.raises(BadValueError, match="no country"):
        as_countries("")
    with pytest.raises(BadValueError, match="JSON list"):
        as_list('["IND", ')


def test_papermill_string_parameter_reaches_the_notebook_as_a_list(tmp_path):
    import nbformat
    import papermill

    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('reporters = ["IND", "JPN"]')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(
        "from esc.parameters import as_countries\nreporters = as_countries(reporters)\n"
        "print('+'.join(reporters))")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    src, out = tmp_path / "p.ipynb", tmp_path / "o.ipynb"
    nbformat.write(nb, src)
    papermill.execute_notebook(str(src), str(out), parameters={"reporters": "JPN"},
                               kernel_name="python3", progress_bar=False)
    text = "".join(o.get("text", "") for c in nbformat.read(out, as_version=4).cells
                   for o in c.get("outputs", []))
    assert text.strip() == "JPN"
