"""Source modules: each reads one publisher's files and returns the canonical flows table
(or, for reference data, a small documented table). See docs/architecture.md."""
