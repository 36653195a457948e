"""What the cover, the running header and footer and the document metadata of a report say (`ReportInfo`).

A module of its own, standard library only: the build's client and workers pass it along without importing the
renderer.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReportInfo:
    """What the cover, the running header/footer and the document metadata say.

    All strings are German and already formatted by the caller; the renderer only escapes them.
    """

    #: Report title, normally the district name ("Goethestraße"); cover heading, running header, PDF title.
    title: str
    #: Where the district sits, e.g. "Ortsteil im Stadtteil Lehe".
    level_line: str
    #: Reporting period as shown to readers, e.g. "Berichtsjahr 2024"; cover and running header.
    period_label: str
    #: Date of this edition, e.g. "1. März 2025"; cover and every page footer.
    stand: str
    #: Publisher, e.g. "Gesundheitsamt Bremerhaven"; cover and PDF author metadata.
    organisation: str
    #: Identifier of the build that made the file (e.g. a short input hash); footer, for tracing a copy.
    build_id: str
    #: When the report is built from sample data: the notice shown on the cover and in the screen banner.
    #: Any non-empty value also marks every PDF page "Beispieldaten". `None` for real data.
    sample_notice: str | None = None
    #: Vintage of the data, e.g. "Daten bis 31.12.2024"; cover and the closing footer. Optional.
    data_vintage: str = ""
    #: One-sentence summary; lead text on the cover, HTML meta description and PDF subject. Optional.
    description: str = ""
    #: The report's other files and the way back to the list of all profiles, as (label, href relative to the
    #: report), e.g. (("Alle Quartiersprofile", "../index.html"), ("PDF", "stadtteil-lehe.pdf")); only files the
    #: build writes. Links on screen, not in print. Optional.
    links: tuple[tuple[str, str], ...] = ()
    #: The same for the slides of the area (the report instead of the slides themselves). Optional.
    slides_links: tuple[tuple[str, str], ...] = ()
    #: Further lines on the cover under the level line, e.g. the area's class in the Gesundheits- und Sozialindex.
    #: Optional.
    cover_lines: tuple[str, ...] = ()
