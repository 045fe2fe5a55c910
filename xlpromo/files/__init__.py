"""Whole workbooks in and out: the reader (calamine), the builder (xlsxwriter), the guide,
the demo, the retrospective; and the platforms' export files read in (exports/).
"""
