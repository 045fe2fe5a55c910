"""What the workbook is: schema, the master's sheets, defaults, formula templates,
parsing of what people type, row IDs. No files.
"""
