"""esc: India–Japan economic security analysis from public trade data.

Data flows one way through the package::

    esc.sources.*   read a publisher's files and return the canonical flows table
    esc.cache       keeps canonical tables as Parquet with a provenance sidecar
    esc.metrics     import concentration (shares, HHI, top suppliers, group shares)
    esc.complexity  RCA, ECI and PCI by the eigenvector method
    esc.vulnerability / esc.scenarios / esc.complementarity / esc.initiatives
    esc.charts and esc.report   briefing charts and executed notebooks

The default product-level data is a *demo world* that esc generates itself
(:mod:`esc.sources.demo`); everything built on it is labelled
:data:`esc.schema.DEMO_LABEL`.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("esc")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+src"

__all__ = ["__version__"]
