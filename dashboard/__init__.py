"""tissu: the industrial ecosystem of Lorraine on one map."""

__version__ = "0.1.0"
