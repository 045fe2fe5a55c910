"""The Excel layer: ribbon buttons (:mod:`.buttons`) and worksheet functions (:mod:`.udfs`) over the engine.

Buttons talk to a workbook through the small :class:`.backend.Book` interface, implemented by the
xlwings adapter (:mod:`.adapter`), by a file backend (:mod:`.filebook`) and by a recording fake (:mod:`.fake`).
"""
