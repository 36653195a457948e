"""Publishing, the fourth layer: everything a reader opens. HTML fragments, the nbconvert templates, HTML and PDF
(headless Chromium), slides, the data downloads, the city overview, the index page, and the disclosure audit of
every published file.

Owns: `report` (what the template notebooks call), `fragments` (HTML pieces), `info` (`ReportInfo`), `render`
(notebook -> HTML), `pdf`, `browser`, `pdfpatch`, `slides`, `overview`, `downloads`, `index`, `audit`, `insight`
and `insight_cells` (the index, similar areas, targets and changes as HTML and download columns), `projection`
(the projection section and its Methodik), `focus` (the focus reports and their slides).

May import: `quartiersprofile.content`, `quartiersprofile.stats`, `quartiersprofile.model`. Writes no files:
it returns bytes and strings, and the build writes them.
"""
