"""The version of xlpromo (one place: the builder stamps it into every workbook, hatch reads it)."""

__version__ = "0.1.0"
