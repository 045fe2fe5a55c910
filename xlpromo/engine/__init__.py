"""The engine over pandas frames: validate, cross-check, metrics (the formulas' twin), alerts,
findings, the report, marks. Never opens a file.
"""
