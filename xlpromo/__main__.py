"""``python -m xlpromo``."""

from xlpromo.cli import main

main()
