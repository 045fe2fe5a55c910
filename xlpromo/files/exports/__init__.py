"""Platform exports in (生意参谋, 京东商智, 抖店罗盘, 拼多多): any export file → its table of days, nothing converted.

:func:`read_export` finds the table (:mod:`.layout`) in a CSV's decoded text (:mod:`.text`) or a spreadsheet's
sheets (:mod:`.sheets`); the cells stay as read, and :func:`cell_number` / :func:`cell_date` turn them into
figures and days where the mapping onto 每日监控 needs them.
"""

from xlpromo.files.exports.layout import ExportRow, ExportTable
from xlpromo.files.exports.read import read_export
from xlpromo.model.export_values import cell_date, cell_number

__all__ = ["ExportRow", "ExportTable", "cell_date", "cell_number", "read_export"]
