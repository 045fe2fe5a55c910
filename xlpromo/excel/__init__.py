"""The Excel layer: ribbon buttons (:mod:`.buttons`) and worksheet functions (:mod:`.udfs`) over the engine.

Buttons talk to a workbook through the small :class:`.backend.Book` interface, implemented by the
xlwings adapter (:mod:`.adapter`); the tests use a file backend (:mod:`xlpromo.testing.filebook`)
and a recording fake of xlwings (:mod:`xlpromo.testing.xlwings_fake`). The module paths
``xlpromo.excel.udfs`` and ``xlpromo.excel.buttons`` are written into the committed add-in: keep them.
"""
