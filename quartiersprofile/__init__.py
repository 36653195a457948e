"""Gesundheitsbezogene Quartiersprofile für Bremerhaven.

A small package of plain functions: data contract and validation (`data`), statistics (`stats`),
the one small-number rule (`suppression`), indicator tables (`indicators`), charts (`charts`),
German text (`text`), rendering (`render`) and build orchestration (`build`).
"""

__version__ = "0.1.0"
