"""kommunen: leads for social enterprises whose customers are German municipalities."""

__version__ = "0.1.0"
