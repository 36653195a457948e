"""The data model, the lowest layer: the data contract and its validation, areas and periods.

Owns: `contract` (tables, columns, allowed values; `Problem`, `DataValidationError`), `reading` (CSV/XLSX
files), `rules` (checks across rows and tables), `boundaries` (optional GeoJSON), `dataset` (`load_dataset`,
`Dataset`), `areas` (which areas get a profile, the hierarchy, names and slugs), `periods` (one `Period` type:
parse, order, German labels, pooled spans), `age_bands`, `focus` (focus groups of areas in dataset.toml).

May import: nothing of the package outside this folder (third-party: pandas, pandera, openpyxl, babel).
"""
