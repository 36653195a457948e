"""Gesundheitsbezogene Quartiersprofile für Bremerhaven.

A package of plain functions in layers, each importing only the layers below it (checked by import-linter, see
`pyproject.toml` and docs/architecture.md):

    build    the command line, planning, workers, output folder
    publish  HTML, PDF, slides, downloads, overview, index, disclosure audit of the files
    content  indicator table, profile model, key findings, German text, charts
    stats    statistics, suppression
    model    data contract and validation, areas, periods
"""

__version__ = "0.1.0"
