"""The Excel add-in ``xlpromo.xlam``: its builder and installer, and the VBA project writer."""
