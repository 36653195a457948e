"""Disclosure-control audit: no output of a build may show a value that the small-number rule hides.

The ground truth is `hidden_cells`: every cell the rule hides, with its true values (recomputed without
suppression and kept in memory only). `audit_tables` checks the published indicator table (hidden cells blank,
no hidden numerator recoverable by differencing), `audit_job_outputs` the bytes of one job's files before they
are written, `audit_folder` an already built folder (also ``python -m quartiersprofile.publish.audit profiles/``).
`suppression_report` tells the data-protection officer what was hidden where, without values.

How the outputs are searched - a hidden number would look exactly as the report prints it: the value with its
unit's decimals ("12,3"), the 95 % interval ("10,1–14,6") and the numerator as a count ("3"). Only hidden cells
the output could show count: those of the areas it shows (its area, the peers, the city; the overview: all)
in periods up to the report period.

- Structured places, exact for every number: a CSV/XLSX row of a hidden cell has nothing but empty cells and
  "•" outside the descriptive columns and the denominator (which the rule publishes); a row of an HTML indicator
  table has no digit outside name, period, comparison and trend. The city column ("Bremerhaven") may hold a
  number unless the city's own cell is hidden.
- Chart labels, in context: the PNG of every figure lists its drawn texts (`charts.drawn_png`). In a figure whose
  caption, alt text or labels name an indicator, a label that is exactly a hidden number of that indicator (unit
  after the no-break space ignored) is a leak - small counts included. Axis tick labels are the scale, not
  data, and are left out.
- Free text (visible HTML text, alt/title/aria-label attributes, PDF text): a hidden number is searched as a
  whole token only when it is distinctive, i.e. has a decimal comma, a thousands point or an interval dash.
  Plain whole numbers below 1.000 (counts 1–4, ages, years, "24 Ortsteile") are everywhere and are checked
  only in the places above.
- No false alarm from coincidence: outside the structured places a hidden number is ignored when the very same
  string is also printed for a published cell the output may show - in text any value, limit, interval or
  count, in a chart's labels a value of the same indicator; then its appearance proves nothing. (On the sample
  data no profile gives a false alarm, and a bar chart that draws the hidden values of its areas is caught for
  about 5 of 6 of them; the rest coincide with a published value.)

A leak names the file, indicator, area, period and place, never the hidden value.
"""

from __future__ import annotations

import argparse
import base64
import csv
import functools
import io
import json
import re
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd
from bs4 import BeautifulSoup
from openpyxl import load_workbook
from PIL import Image

from ..content import text
from ..content.indicators import VALUE_COLUMNS, apply_suppression, unsuppressed_indicator_table
from ..content.profile import Profile
from ..content.tables import ProfileTables, compute_tables
from ..model import periods
from ..model.areas import OVERVIEW_SLUG
from ..model.dataset import Dataset, load_dataset
from ..model.errors import DisclosureError
from ..stats.suppression import SUPPRESSED_MARKER
from .downloads import to_excel_csv

LEAK = "ein unterdrückter Wert ist sichtbar"
UNCHECKABLE_FIGURE = "Abbildung ohne Liste ihrer Beschriftungen, nicht prüfbar"
TABLE_LABEL = "Indikatortabelle"
OUTPUT_LABELS = {
    "ipynb": "Notebook",
    "html": "HTML-Bericht",
    "pdf": "PDF-Bericht",
    "csv": "CSV-Datei",
    "xlsx": "XLSX-Datei",
    "slides.html": "Folien (HTML)",
    "slides.pdf": "Folien (PDF)",
}
#: Download columns that describe a row; with the denominator they may be filled in a hidden row.
DESCRIPTIVE_COLUMNS = frozenset(
    {"Bereich", "Kennziffer", "Indikator", "Einheit", "Zeitraum", "Gebiet", "Vergleich (95 %)",
     "Vergleich (99,8 %)", "Trend", "Unterdrückt", "Quelle", "Nenner"}
)  # fmt: skip
#: Columns of the report's indicator tables that may hold digits in a hidden row.
DESCRIPTIVE_TABLE_COLUMNS = frozenset({"Indikator", "Zeitraum", "Vergleich", "Trend"})
CITY_COLUMN = "Bremerhaven"
ATTRIBUTES = ("alt", "title", "aria-label")
_DISTINCTIVE = re.compile(r"[,.–]")
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class Leak:
    """A hidden cell that an output shows (or could show), and where; never the value itself."""

    output: str
    indicator: str
    area: str
    period: str
    where: str
    problem: str = LEAK

    def __str__(self) -> str:
        period = f"Zeitraum {self.period}" if self.period else ""
        cell = ", ".join(part for part in (self.indicator, self.area, period) if part)
        return f"{self.output}: {self.problem}" + (f" – {cell}" if cell else "") + f"; Fundstelle: {self.where}."


def raise_on_leaks(leaks: list[Leak]) -> None:
    """Stop the build with every leak listed, if there is one."""
    if leaks:
        raise DisclosureError(leaks)


# --- ground truth -------------------------------------------------------------------------------------------


def hidden_cells(dataset: Dataset, tables: ProfileTables, truth: pd.DataFrame | None = None) -> pd.DataFrame:
    """The cells the rule hides, with their true values (never to be written anywhere). `truth`: the
    unsuppressed indicator table of `dataset`, when the caller has computed it already.

    The rule is applied here again to the true values (`indicators.apply_suppression`, the one rule), so the
    audit does not trust the published table's own flags; a cell the published table hides on top counts too.
    Columns: indicator, name, unit, area, area_name, period, label (the period as tables show it), reason,
    numerator, value, lower, upper.
    """
    keys = ["indicator", "area", "period"]
    if truth is None:
        truth = unsuppressed_indicator_table(dataset, list(tables.areas))
    expected = apply_suppression(truth, dataset.catalogue, list(tables.areas), tables.rule)
    published = tables.indicators[[*keys, "suppressed"]].rename(columns={"suppressed": "published"})
    cells = expected.merge(published, on=keys, how="left")
    cells = cells[cells["suppressed"].astype(bool) | cells["published"].fillna(False).astype(bool)]
    cells = cells[[*keys, "period_label", "suppression_reason"]].merge(
        truth[[*keys, "numerator", "value", "lower", "upper"]], on=keys, how="left"
    )
    return _describe_cells(cells, tables).rename(columns={"suppression_reason": "reason"})


def _describe_cells(cells: pd.DataFrame, tables: ProfileTables) -> pd.DataFrame:
    """Add indicator name and unit, area name and the period label as the tables show it."""
    catalogue = tables.catalogue.set_index("id")
    names = {a.code: a.name for a in tables.areas}
    return cells.assign(
        name=cells["indicator"].map(catalogue["name"]),
        unit=cells["indicator"].map(catalogue["unit"]),
        area_name=cells["area"].map(names),
        label=cells["period_label"].map(periods.label),
    ).drop(columns="period_label")


def _leak(output: str, cell, where: str) -> Leak:
    return Leak(
        output,
        f"Indikator {cell.indicator} „{cell.name}“",
        f"Gebiet {cell.area_name} ({cell.area})",
        cell.label,
        where,
    )


def _forms(unit, value, lower, upper, *counts) -> set[str]:
    """How the report prints these numbers: value and interval limits with the unit's decimals (and with one,
    as the spine chart does), the interval, counts as whole numbers."""
    decimals = text.decimals_for(unit)
    forms = {text.format_number(v, d) for v in (value, lower, upper) for d in {decimals, 1}}
    forms |= {text.format_interval(lower, upper, decimals)} | {text.format_count(n) for n in counts}
    return forms - {text.MISSING}


# --- the published table ------------------------------------------------------------------------------------


def audit_tables(
    tables: ProfileTables, period: str | None = None, cells: pd.DataFrame | None = None
) -> list[Leak]:
    """The published indicator table (up to `period`, default all): every cell of `cells` (see `hidden_cells`)
    and every cell it flags itself is blank, also as the city value of other rows, and no hidden numerator
    follows from a published total minus published parts.

    Numerators of every statistic are sums over the Ortsteile (a mean's is the sum of the values), so the
    differencing check covers all indicators: in a relation parent = sum of children (city = its Stadtteile,
    Stadtteil = its Ortsteile; indicator and period fixed) exactly one hidden cell and all others published is a
    leak.
    """
    table = tables.indicators
    if period is not None:
        table = table[table["period"].map(periods.sort_key) <= periods.sort_key(period)]
    table = _describe_cells(table, tables)
    hidden = table["suppressed"].astype(bool)
    if cells is not None:
        required = pd.MultiIndex.from_frame(cells[["indicator", "area", "period"]])
        hidden |= pd.MultiIndex.from_frame(table[["indicator", "area", "period"]]).isin(required)
    leaks = []
    for column in ("numerator", *VALUE_COLUMNS):
        for cell in table[hidden & table[column].notna()].itertuples():
            leaks.append(_leak(TABLE_LABEL, cell, f"Spalte {column}"))
    city = next(a.code for a in tables.areas if a.level == "stadt")
    city_cells = table[hidden & (table["area"] == city)]
    shown_city = table[table["city_value"].notna()].groupby(["indicator", "period"]).size()
    for cell in city_cells.itertuples():
        count = shown_city.get((cell.indicator, cell.period), 0)
        if count:
            leaks.append(_leak(TABLE_LABEL, cell, f"Spalte city_value (Vergleichswert) in {count} Zeilen"))
    return leaks + _differencing(table.assign(suppressed=hidden), tables.areas)


def _differencing(table: pd.DataFrame, areas) -> list[Leak]:
    parents = {a.code: a.parent_code for a in areas if a.parent_code}
    names = {a.code: a.name for a in areas}
    as_child = table.assign(relation=table["area"].map(parents), role="child").dropna(subset=["relation"])
    as_parent = table[table["area"].isin(set(parents.values()))].assign(relation=table["area"], role="parent")
    members = pd.concat([as_child, as_parent], ignore_index=True)
    members["hidden"] = members["suppressed"].astype(bool)
    members["open"] = ~members["hidden"] & members["numerator"].isna()  # neither published nor hidden
    keys = ["indicator", "period", "relation"]
    summary = members.groupby(keys).agg(
        hidden=("hidden", "sum"), open=("open", "sum"), children=("role", lambda r: (r == "child").sum())
    )
    recoverable = summary[(summary["hidden"] == 1) & (summary["open"] == 0) & (summary["children"] > 0)]
    chosen = members.join(recoverable[["children"]], on=keys, how="inner")
    leaks = []
    for cell in chosen[chosen["hidden"]].itertuples():
        if cell.role == "child":
            others = cell.children - 1
            parts = "1 veröffentlichtes Teilgebiet" if others == 1 else f"{others} veröffentlichte Teilgebiete"
            where = f"Differenzbildung: {names[cell.relation]} minus {parts}"
        else:
            where = f"Differenzbildung: Summe der veröffentlichten Teilgebiete ({cell.children})"
        leaks.append(_leak(TABLE_LABEL, cell, where))
    return leaks


# --- one job's outputs --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Scope:
    """What one output could show: the hidden cells, and the published rows, of its areas and periods."""

    cells: pd.DataFrame
    published: pd.DataFrame
    city_name: str
    indicators: dict[str, str]  # "name (unit)" as the tables print it -> indicator id
    names: dict[str, str]  # indicator id -> name

    def lookup(self, indicator, area_name, label):
        """The hidden cell of this indicator, area and period label (as printed), or None."""
        return self._keyed.get((indicator, area_name, label))

    @cached_property
    def _keyed(self) -> dict:
        return {(c.indicator, c.area_name, c.label): c for c in self.cells.itertuples()}

    def needles(self, indicators=None, chart: bool = False) -> dict[str, list]:
        """Printed form -> hidden cells (of `indicators`, default all) printed so.

        Left out: for text, plain whole numbers and every form a published cell prints as; for a chart's labels,
        the forms of the published values of the same indicators.
        """
        chosen = self._legitimate.keys() if indicators is None else indicators
        which = 0 if chart else 1
        legitimate = set().union(*(self._legitimate[i][which] for i in chosen if i in self._legitimate))
        found = defaultdict(list)
        for cell, forms in self._hidden_forms:
            if indicators is None or cell.indicator in indicators:
                for form in forms - legitimate:
                    if chart or _DISTINCTIVE.search(form):
                        found[form].append(cell)
        return found

    @cached_property
    def text_needles(self) -> dict[str, list]:
        """`needles()` for free text, worked out once per scope."""
        return self.needles()

    @cached_property
    def _hidden_forms(self) -> list[tuple]:
        return [
            (cell, _forms(cell.unit, cell.value, cell.lower, cell.upper, cell.numerator))
            for cell in self.cells.itertuples()
        ]

    @cached_property
    def _legitimate(self) -> dict[str, tuple[set[str], set[str]]]:
        """Indicator -> (forms of its published values, every form its published cells print as)."""
        columns = ["unit", "value", "lower", "upper", "numerator", "denominator"]
        legitimate = {}
        for indicator, group in self.published.groupby("indicator"):
            rows = set(group[columns].itertuples(index=False))
            legitimate[indicator] = (
                set().union(*(_forms(unit, value, None, None) for unit, value, *_ in rows)),
                set().union(*(_forms(*row) for row in rows)),
            )
        return legitimate


class OutputAudit:
    """Searches the files of a build's jobs for hidden values (see the module docstring).

    Made once per build from `hidden_cells`; profiles that show the same areas (all Ortsteil profiles of a
    period) share the published number forms, which are the expensive part."""

    def __init__(self, hidden: pd.DataFrame, tables: ProfileTables, profiles: dict[str, Profile] | None = None):
        """`profiles`: the profiles of the build's jobs by area code, when the caller has them already."""
        self.hidden, self.tables = hidden, tables
        self.profiles = profiles or {}
        self._scopes: dict[tuple, _Scope] = {}

    def __call__(self, outputs: dict[str, bytes], area_code: str | None, period: str, slug: str = "") -> list[Leak]:
        """Leaks in one job's files (kind -> bytes, as `worker.run_job` returns them). `area_code` is the
        profile's area, None for the overview (it shows every area); `slug` names the files in the leaks."""
        unknown = sorted(set(outputs) - set(OUTPUT_LABELS))
        if unknown:
            raise ValueError(f"Ausgabeart(en) {', '.join(unknown)} kennt die Datenschutzprüfung nicht.")
        area = None if area_code is None else next(a for a in self.tables.areas if a.code == area_code)
        scope = self.scope(area, period)
        area_name = area.name if area else None
        leaks: list[Leak] = []
        for kind, data in outputs.items():
            label = OUTPUT_LABELS[kind] + (f" {slug}.{kind}" if slug else "")
            if kind == "csv":
                rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
                leaks += _audit_download(label, rows, scope)
            elif kind == "xlsx":
                leaks += _audit_download(label, _xlsx_rows(data), scope)
            elif kind in ("html", "slides.html"):
                leaks += _audit_html(label, data.decode("utf-8"), scope, area_name)
            elif kind == "ipynb":
                page, plain = _notebook_outputs(data)
                leaks += _audit_html(label, page, scope, area_name)
                leaks += _search(label, [("Textausgabe", plain)], scope.text_needles)
            elif kind.endswith("pdf"):
                leaks += _search(label, _pdf_lines(data), scope.text_needles)
        return list(dict.fromkeys(leaks))

    def scope(self, area, period: str) -> _Scope:
        """What a profile of `area` (None: the overview) in `period` could show."""
        tables = self.tables
        if area is None:
            shown = {a.code for a in tables.areas}
        else:
            profile = self.profiles.get(area.code)
            if profile is None or profile.period != period:
                profile = Profile(area, period, tables)
            shown = profile.shown_areas
        key = (frozenset(shown), period)
        if key not in self._scopes:
            up_to = periods.sort_key(period)
            hidden = self.hidden
            cells = hidden[hidden["area"].isin(shown) & (hidden["period"].map(periods.sort_key) <= up_to)]
            table = tables.indicators
            rows = table[table["area"].isin(shown) & (table["period"].map(periods.sort_key) <= up_to)]
            published = _describe_cells(rows[~rows["suppressed"].astype(bool)], tables)
            catalogue = tables.catalogue
            self._scopes[key] = _Scope(
                cells,
                published,
                next(a.name for a in tables.areas if a.level == "stadt"),
                dict(zip(catalogue["name"] + " (" + catalogue["unit"] + ")", catalogue["id"], strict=True)),
                dict(zip(catalogue["id"], catalogue["name"], strict=True)),
            )
        return self._scopes[key]


def audit_job_outputs(
    outputs: dict[str, bytes],
    hidden: pd.DataFrame,
    tables: ProfileTables,
    area_code: str | None,
    period: str,
    slug: str = "",
) -> list[Leak]:
    """One job's leaks without a shared `OutputAudit` (see there)."""
    return OutputAudit(hidden, tables)(outputs, area_code, period, slug)


def _xlsx_rows(data: bytes) -> list[list]:
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


def _audit_download(label: str, rows: list[list], scope: _Scope) -> list[Leak]:
    """CSV/XLSX: a hidden cell's row is empty or "•" outside the descriptive columns and the denominator."""
    header = [str(name) for name in rows[0]]
    column = {name: i for i, name in enumerate(header)}
    leaks = []
    for number, row in enumerate(rows[1:], start=2):
        indicator, period = row[column["Kennziffer"]], row[column["Zeitraum"]]
        own = scope.lookup(indicator, row[column["Gebiet"]], period)
        city = scope.lookup(indicator, scope.city_name, period)
        for name, value in zip(header, row, strict=False):
            cell = city if name == CITY_COLUMN else None if name in DESCRIPTIVE_COLUMNS else own
            if cell is not None and value not in (None, "", SUPPRESSED_MARKER):
                leaks.append(_leak(label, cell, f"Zeile {number}, Spalte {name}"))
    return leaks


def _audit_html(label: str, page: str, scope: _Scope, area_name: str | None) -> list[Leak]:
    soup = BeautifulSoup(page, "html.parser")
    for invisible in soup.find_all(["script", "style"]):
        invisible.decompose()
    leaks = _audit_indicator_tables(label, soup, scope, area_name) + _audit_figures(label, soup, scope)
    units = [(_place("Text", node), str(node)) for node in soup.find_all(string=True)]
    for tag in soup.find_all(True):
        units += [(_place(f"Attribut {name} von <{tag.name}>", tag), tag[name]) for name in ATTRIBUTES if tag.get(name)]
    return leaks + _search(label, units, scope.text_needles)


def _place(what: str, node):
    """Where a node is, as a function: the section heading is looked up only for a match."""

    def where() -> str:
        heading = node.find_previous(["h1", "h2"])
        return f"{what} im Abschnitt „{heading.get_text(' ', strip=True) if heading else 'Anfang'}“"

    return where


def _audit_indicator_tables(label: str, soup, scope: _Scope, area_name: str | None) -> list[Leak]:
    """Rows of hidden cells in the report's indicator tables (the profile's own area) show no digit."""
    leaks = []
    for table in soup.select("table.indicators"):
        caption = table.caption.get_text(" ", strip=True) if table.caption else ""
        header = [th.get_text(strip=True).replace("\xad", "") for th in table.thead.find_all("th")]
        for row in table.tbody.find_all("tr"):
            cells = [c.get_text(" ", strip=True) for c in row.find_all(["th", "td"])]
            indicator, period = scope.indicators.get(cells[0]), cells[header.index("Zeitraum")]
            own = scope.lookup(indicator, area_name, period)
            city = scope.lookup(indicator, scope.city_name, period)
            for name, value in zip(header, cells, strict=False):
                cell = city if name == CITY_COLUMN else None if name in DESCRIPTIVE_TABLE_COLUMNS else own
                if cell is not None and _DIGIT.search(value):
                    leaks.append(_leak(label, cell, f"Tabelle „{caption}“, Zeile „{cells[0]}“, Spalte {name}"))
    return leaks


def _audit_figures(label: str, soup, scope: _Scope) -> list[Leak]:
    """Chart labels that are exactly a hidden number of an indicator the figure is about; an embedded image
    without the list of its labels (not made by `charts.drawn_png`) cannot be checked and is a leak too."""
    leaks = []
    for image in soup.find_all("img", src=re.compile("^data:")):
        figure = image.find_parent("figure")
        caption = figure.figcaption.get_text(" ", strip=True) if figure and figure.figcaption else image.get("alt", "")
        where = f"Diagrammbeschriftung in Abbildung „{caption}“"
        header, _, data = image["src"].partition(",")
        info = Image.open(io.BytesIO(base64.b64decode(data))).info if header == "data:image/png;base64" else {}
        if "Labels" not in info:
            leaks.append(Leak(label, "", "", "", where, UNCHECKABLE_FIGURE))
            continue
        drawn = json.loads(info["Labels"])
        context = " ".join([caption, image.get("alt", ""), *drawn])
        needles = scope.needles([i for i, name in scope.names.items() if name in context], chart=True)
        for shown in Counter(drawn) - Counter(json.loads(info.get("TickLabels", "[]"))):
            for cell in needles.get(shown.partition(text.NBSP)[0].strip(), []):
                leaks.append(_leak(label, cell, where))
    return leaks


@functools.lru_cache(maxsize=256)
def _whole_number_pattern(forms: tuple[str, ...]) -> re.Pattern:
    """A regex matching any of `forms` (longest first) as a whole number, not as part of a longer one."""
    alternatives = "|".join(re.escape(form) for form in forms)
    # The lookahead for a form's first character is only a shortcut: most positions of a text start no form,
    # and without it every alternative would be tried there.
    first = "".join(sorted({re.escape(form[0]) for form in forms}))
    return re.compile(rf"(?<![\d.,])(?=[{first}])(?:{alternatives})(?!\d|[.,]\d)")


def _search(label: str, units: list[tuple], needles: dict) -> list[Leak]:
    """Whole-number matches of the needles in (place, text) pairs; a place is a string or a function making it."""
    if not needles:
        return []
    pattern = _whole_number_pattern(tuple(sorted(needles, key=lambda form: (-len(form), form))))
    return [
        _leak(label, cell, where() if callable(where) else where)
        for where, content in units
        for match in pattern.finditer(content)
        for cell in needles[match.group()]
    ]


def _pdf_lines(data: bytes) -> list[tuple[str, str]]:
    """The PDF's text (pdftotext, layout kept) as (page and line, text) pairs."""
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    pages = result.stdout.decode("utf-8").split("\f")
    return [
        (f"Seite {page}, Zeile {line}", content)
        for page, lines in enumerate(pages, start=1)
        for line, content in enumerate(lines.splitlines(), start=1)
    ]


def _notebook_outputs(data: bytes) -> tuple[str, str]:
    """A kept notebook's outputs: the HTML ones (images as <img>) and all plain text."""
    pages, plain = [], []
    for cell in json.loads(data)["cells"]:
        for output in cell.get("outputs", []):
            plain.append("".join(output.get("text", "")))
            for mime, content in output.get("data", {}).items():
                content = "".join(content) if isinstance(content, list) else content
                if mime == "text/html":
                    pages.append(content)
                elif mime == "image/png":
                    pages.append(f"<figure><img src='data:image/png;base64,{content.strip()}'></figure>")
                elif mime.startswith("text/"):
                    plain.append(content)
    return "\n".join(pages), "\n".join(plain)


# --- a built folder -----------------------------------------------------------------------------------------

OUTPUT_KINDS = tuple(OUTPUT_LABELS)


def audit_folder(output_dir: Path, data_dir: Path | None = None) -> list[Leak]:
    """Audit an already built folder (every period sub-folder) against the data it was built from."""
    dataset = load_dataset(data_dir)
    tables = compute_tables(dataset)
    hidden = hidden_cells(dataset, tables)
    leaks = audit_tables(tables, cells=hidden)
    audit = OutputAudit(hidden, tables)
    slugs = {OVERVIEW_SLUG: None} | {a.slug: a.code for a in tables.areas}
    for folder in sorted(p for p in Path(output_dir).iterdir() if p.is_dir() and not p.name.startswith(".")):
        for slug, code in slugs.items():
            files = {kind: folder / f"{slug}.{kind}" for kind in OUTPUT_KINDS}
            outputs = {kind: path.read_bytes() for kind, path in files.items() if path.is_file()}
            if outputs:
                leaks += audit(outputs, code, folder.name, slug)
    return leaks


# --- report for the data-protection officer -----------------------------------------------------------------


REPORT_COLUMNS = ["Gebiet", "Gebietscode", "Ebene", "Kennziffer", "Indikator", "Zeitraum", "Grund",
                  "gekennzeichnet (•) in", "Regel"]  # fmt: skip


def suppression_report(tables: ProfileTables, period: str) -> bytes:
    """What the period's profiles hide and where, as German Excel CSV: no values and no case counts.

    One row per hidden cell a profile of the period shows (its indicator table for the period, the comparison
    bars and trend chart of a section's lead indicator, the overview), with the reason, the files that mark it
    with "•" and the rule.
    """
    table = tables.indicators
    hidden = table[table["suppressed"].astype(bool)].set_index(["indicator", "area", "period"])
    places = defaultdict(set)

    def mark(indicator, code, cell_period, place):
        if (indicator, code, cell_period) in hidden.index:
            places[indicator, code, cell_period].add(place)

    sections = tables.catalogue["section"].unique()
    for area in tables.areas:
        profile = Profile(area, period, tables)
        own = profile.indicator_rows()
        for row in own.itertuples():
            mark(row.id, area.code, row.period, f"{area.slug} (Tabellen, Kennzahlen, Download)")
            mark(row.id, area.code, row.period, f"{OVERVIEW_SLUG} (Übersicht)")
        report_periods = dict(zip(own["id"], own["period"], strict=True))
        for lead in filter(None, (profile.lead_indicator(section) for section in sections)):
            for peer in profile.peers:
                mark(lead, peer.code, report_periods[lead], f"{area.slug} (Vergleichsdiagramm)")
            for cell_period in profile.series(lead)["period"]:
                mark(lead, area.code, cell_period, f"{area.slug} (Zeitreihe)")
    order = {a.code: i for i, a in enumerate(tables.areas)}
    names = {a.code: a for a in tables.areas}
    catalogue = tables.catalogue.set_index("id")
    rows = []
    for (indicator, code, cell_period), where in sorted(
        places.items(), key=lambda item: (order[item[0][1]], item[0][0], periods.sort_key(item[0][2]))
    ):
        cell = hidden.loc[(indicator, code, cell_period)]
        rows.append(
            {
                "Gebiet": names[code].name,
                "Gebietscode": code,
                "Ebene": names[code].level_label,
                "Kennziffer": indicator,
                "Indikator": catalogue.at[indicator, "name"],
                "Zeitraum": periods.label(cell["period_label"]),
                "Grund": cell["suppression_reason"],
                "gekennzeichnet (•) in": "; ".join(sorted(where)),
                "Regel": tables.rule.describe_de(),
            }
        )
    return to_excel_csv(pd.DataFrame(rows, columns=REPORT_COLUMNS))


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    """``python -m quartiersprofile.publish.audit PROFILES [--data DATA]``: print the leaks, exit 1 if there are any."""
    parser = argparse.ArgumentParser(prog=prog, description="Datenschutzprüfung eines gebauten Profilordners.")
    parser.add_argument("output_dir", type=Path)
    parser.add_argument("--data", type=Path, default=None, help="Datenordner (Standard: data/)")
    args = parser.parse_args(argv)
    leaks = audit_folder(args.output_dir, args.data)
    for leak in leaks:
        print(leak)
    print(f"{len(leaks)} Befund(e)." if leaks else "Keine Befunde: kein unterdrückter Wert sichtbar.")
    return 1 if leaks else 0


if __name__ == "__main__":
    sys.exit(main())
