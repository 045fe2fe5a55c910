"""xlpromo: spreadsheet-native promotion campaigns (618, 双11) for Excel, WPS and LibreOffice."""

__version__ = "0.1.0"
__all__ = ["__version__"]
