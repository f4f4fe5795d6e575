"""Exceptions the application handles."""


class IndexMissing(Exception):
    """The index does not exist, cannot be read, or was built with another schema version."""


class IndexLocked(Exception):
    """Another writer held the index lock for longer than the lock timeout."""
