"""esc's own sources: each module reads one publisher's files, and its ``SOURCE`` object (an
:class:`esc.source.Source`) is registered once, through the ``esc.sources`` entry points in
pyproject.toml. See docs/architecture.md.
"""
