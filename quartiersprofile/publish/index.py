"""`profiles/index.html`: every profile with links to its files, its status and build time."""

from __future__ import annotations

import html
from pathlib import Path

from babel.numbers import format_decimal

STATUS_LABELS = {"built": "neu erstellt", "skipped": "aktuell", "failed": "fehlgeschlagen"}
LINK_LABELS = {
    "html": "HTML",
    "pdf": "PDF",
    "csv": "CSV",
    "xlsx": "XLSX",
    "slides.html": "Folien",
    "slides.pdf": "Folien (PDF)",
}


def _seconds(value: float) -> str:
    return f"{format_decimal(value, format='#,##0.0', locale='de_DE')}&nbsp;s"


def index_html(manifest: dict[str, dict], suppression_reports: list[str] = ()) -> str:
    """The index page; `suppression_reports` are the file names of the data-protection reports to link."""
    rows = []
    for key in sorted(manifest):
        entry = manifest[key]
        links = " ".join(
            f'<a href="{html.escape(entry["period"] + "/" + info["path"], quote=True)}">{LINK_LABELS[kind]}</a>'
            for kind, info in entry.get("outputs", {}).items()
            if kind in LINK_LABELS
        )
        status = STATUS_LABELS.get(entry["status"], entry["status"])
        message = f"<br><small>{html.escape(entry['message'])}</small>" if entry.get("message") else ""
        rows.append(
            f"<tr><td>{html.escape(entry['period'])}</td><td>{html.escape(entry['area_name'])}</td>"
            f"<td>{links}</td><td>{html.escape(status)}{message}</td>"
            f'<td class="num">{_seconds(entry.get("duration", 0))}</td></tr>'
        )
    return f"""<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Quartiersprofile Bremerhaven – Übersicht</title>
<style>
body {{ font-family: "Open Sans", Arial, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem;
       color: #1a1a1a; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #ccc; vertical-align: top; }}
td.num {{ text-align: right; }}
a {{ color: #004f8a; margin-right: .5rem; }}
</style>
</head>
<body>
<h1>Quartiersprofile Bremerhaven</h1>
{_reports_paragraph(suppression_reports)}
<table>
<thead><tr><th scope="col">Zeitraum</th><th scope="col">Gebiet</th><th scope="col">Dateien</th>
<th scope="col">Status</th><th scope="col">Bauzeit</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
</body>
</html>
"""


def _reports_paragraph(names: list[str]) -> str:
    if not names:
        return ""
    links = " ".join(f'<a href="{html.escape(name, quote=True)}">{html.escape(name)}</a>' for name in sorted(names))
    return f"<p>Für den Datenschutz – welche Werte wegen kleiner Fallzahlen unterdrückt sind und wo: {links}</p>"


def index_page(output_dir: Path, manifest: dict[str, dict]) -> bytes:
    """The index page of an output folder, linking the data-protection reports found there."""
    reports = [p.name for p in output_dir.glob("datenschutz-*.csv")]
    return index_html(manifest, reports).encode("utf-8")
