"""Fakes and tools shipped for the tests: a recording xlwings fake, a file-backed book, LibreOffice headless."""
