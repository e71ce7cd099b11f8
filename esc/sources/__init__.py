"""esc's own sources: each module reads one publisher's files, and its ``SOURCE`` object
(an :class:`esc.source.Source`) is registered here, once. The order is the order of
``esc data list`` and of the CLI's ``--source`` choices. See docs/architecture.md.
"""

from esc import source as _registry
from esc.sources import atlas, baci, comtrade, demo, dgcis, hs, meidb, wits

for _module in (demo, baci, comtrade, wits, dgcis, meidb, atlas, hs):
    _registry.register(_module.SOURCE, replace=True)
