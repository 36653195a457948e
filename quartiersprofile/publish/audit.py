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
  whole token only when it is distinctive, i.e. has a decimal comma, a thousands point or an interval dash. A
  hidden interval counts wherever it stands. A single hidden number counts only where its context names the
  indicator (the table row, list item, paragraph or figure around it; in a PDF the line and the two lines on
  either side): a lone number without its indicator tells a reader nothing about the hidden cell, and the
  reports print many derived numbers (life expectancy, index values, shares of age groups) that coincide with
  some hidden value somewhere. Plain whole numbers below 1.000 (counts 1–4, ages, years, "24 Ortsteile") are
  everywhere and are checked only in the places above.
- No false alarm from coincidence: outside the structured places a hidden number is ignored when the very same
  string is also printed for a published cell the output may show - in text any value, limit, interval or
  count, in a chart's labels a value of the same indicator; then its appearance proves nothing. (On the sample
  data no profile gives a false alarm, and a bar chart that draws the hidden values of its areas is caught for
  about 5 of 6 of them; the rest coincide with a published value.) The same holds in text for the numbers a
  report derives from published cells and the register only: the population projection of the areas it shows and
  the changes of a focus report, life expectancy, SMRs and slope indices (`projection.printed_numbers`,
  `focus.printed_numbers`, `outcomes.printed_numbers`), and an interval of two such numbers.

A leak names the file, indicator, area, period and place, never the hidden value.

Why one module of about 650 lines: the scope of an output (`_Scope`), the searches of each kind of output and the
folder audit all work on the same `Leak`s and scope; apart, each part would import the others' internals.
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
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd
from bs4 import BeautifulSoup
from PIL import Image

from ..content import text
from ..content.indicators import VALUE_COLUMNS, apply_suppression, unsuppressed_indicator_table
from ..content.profile import Profile
from ..content.tables import ProfileTables, compute_tables
from ..model import periods
from ..model.areas import OVERVIEW_SLUG
from ..model.dataset import Dataset, load_dataset
from ..model.errors import DisclosureError
from ..model.focus import SLUG_PREFIX as FOCUS_SLUG_PREFIX
from ..model.focus import focus_groups
from ..stats.suppression import SUPPRESSED_MARKER
from . import attacker, focus, projection
from . import outcomes as outcome_fragments
from .downloads import read_xlsx_rows
from .open_data import FILES as OPEN_DATA_FILES
from .open_data import SLUG as OPEN_DATA_SLUG

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
    "parquet": "Parquet-Datei",
    "datapackage": "Datenpaket-Beschreibung",
}
#: Download columns that describe a row; with the denominator they may be filled in a hidden row.
DESCRIPTIVE_COLUMNS = frozenset(
    {"Hinweis", "Bereich", "Kennziffer", "Indikator", "Einheit", "Gebietscode", "Zeitraum", "Gebiet", "Ebene",
     "Geschlecht", "Vergleich (95 %)", "Vergleich (99,8 %)", "Trend", "Unterdrückt", "Quelle", "Nenner"}
)  # fmt: skip
#: The denominator column of the downloads: filled in a hidden row unless the denominator is hidden too.
DENOMINATOR_COLUMN = "Nenner"
#: Columns of the report's indicator tables that may hold digits in a hidden row.
DESCRIPTIVE_TABLE_COLUMNS = frozenset({"Indikator", "Zeitraum", "Vergleich", "Trend"})
CITY_COLUMN = "Bremerhaven"
#: What a hidden cell's comparison and trend say.
HIDDEN_LABEL = text.CLASSIFICATION_LABELS["suppressed"]
ATTRIBUTES = ("alt", "title", "aria-label")
_DISTINCTIVE = re.compile(r"[,.–]")
_DIGIT = re.compile(r"\d")
_INTERVAL = re.compile(r"\d\s*–\s*\d")


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
    Columns: indicator, name, unit, area, area_name, sex ("" all persons, "w", "m"), period, label (the period as
    tables show it), reason, denominator_hidden, numerator, denominator, value, lower, upper.
    """
    keys = ["indicator", "area", "sex", "period"]
    if truth is None:
        truth = unsuppressed_indicator_table(dataset, list(tables.areas))
    expected = apply_suppression(truth, dataset.catalogue, list(tables.areas), tables.rule)
    published = _published(tables)[[*keys, "suppressed"]].rename(columns={"suppressed": "published"})
    cells = expected.merge(published, on=keys, how="left")
    cells = cells[cells["suppressed"].astype(bool) | cells["published"].fillna(False).astype(bool)]
    cells = cells[[*keys, "period_label", "suppression_reason", "denominator_suppressed"]].merge(
        truth[[*keys, "numerator", "denominator", "value", "lower", "upper"]], on=keys, how="left"
    )
    cells = cells.rename(columns={"suppression_reason": "reason", "denominator_suppressed": "denominator_hidden"})
    cells["denominator_hidden"] = cells["denominator_hidden"].fillna(False).astype(bool)
    return _describe_cells(cells, tables)


def _published(tables: ProfileTables) -> pd.DataFrame:
    """The published indicator table with its rows by sex (`sex` "" for all persons)."""
    table = tables.indicators.assign(sex="")
    if tables.by_sex is None or tables.by_sex.empty:
        return table
    return pd.concat([table, tables.by_sex], ignore_index=True)


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


def audit_tables(tables: ProfileTables, period: str, cells: pd.DataFrame | None = None) -> list[Leak]:
    """The published indicator table (what the reports of `period` can show): every cell of `cells` (see
    `hidden_cells`) and every cell it flags itself is blank, also as the city value of other rows; and the
    attacker's audit (`attacker.attack`): no hidden count can be narrowed to fewer than `min_count` values from
    everything published, no shown share has a small complement.
    """
    table = _published(tables)
    table = table[[periods.serves(p, period) for p in table["period"]]]
    table = _describe_cells(table, tables)
    hidden = table["suppressed"].astype(bool)
    keys = ["indicator", "area", "sex", "period"]
    if cells is not None:
        required = pd.MultiIndex.from_frame((cells if "sex" in cells else cells.assign(sex=""))[keys])
        hidden |= pd.MultiIndex.from_frame(table[keys]).isin(required)
    leaks = []
    for column in ("numerator", *VALUE_COLUMNS):
        for cell in table[hidden & table[column].notna()].itertuples():
            leaks.append(_leak(TABLE_LABEL, cell, f"Spalte {column}"))
    city = next(a.code for a in tables.areas if a.level == "stadt")
    city_cells = table[hidden & (table["area"] == city)]
    shown_city = table[table["city_value"].notna()].groupby(["indicator", "sex", "period"]).size()
    for cell in city_cells.itertuples():
        count = shown_city.get((cell.indicator, cell.sex, cell.period), 0)
        if count:
            leaks.append(_leak(TABLE_LABEL, cell, f"Spalte city_value (Vergleichswert) in {count} Zeilen"))
    return leaks + attacker_leaks(TABLE_LABEL, attacker.cells_from_table(tables, period), tables)


def attacker_leaks(output: str, cells: pd.DataFrame, tables: ProfileTables) -> list[Leak]:
    """The attacker's audit of published `cells` as leaks of `output` (see `attacker`)."""
    names = {area.code: area.name for area in tables.areas}
    found = attacker.attack(cells, list(tables.areas), tables.catalogue, tables.rule)
    problems = {"visible complement": attacker.COMPLEMENT}
    return [
        Leak(output, *attacker.describe(item, names, tables.catalogue), problem=problems.get(item.kind, attacker.LEAK))
        for item in found
    ]


# --- one job's outputs --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Scope:
    """What one output could show: the hidden cells, and the published rows, of its areas and periods."""

    cells: pd.DataFrame
    published: pd.DataFrame
    city_name: str
    indicators: dict[str, str]  # "name (unit)" as the tables print it -> indicator id
    names: dict[str, str]  # indicator id -> name
    derived: frozenset[str] = frozenset()  # numbers the output derives from published cells only (text forms)
    names_in_text: dict[str, str] = field(default_factory=dict)  # indicator id -> name as sentences say it

    def lookup(self, indicator, area_name, label, sex: str = ""):
        """The hidden cell of this indicator, area, period label (as printed) and sex ("" all persons), or None."""
        return self._keyed.get((indicator, area_name, label, sex))

    @cached_property
    def _keyed(self) -> dict:
        sexes = self.cells["sex"] if "sex" in self.cells else pd.Series("", index=self.cells.index)
        return {(c.indicator, c.area_name, c.label, sex): c for c, sex in zip(self.cells.itertuples(), sexes,
                                                                               strict=True)}  # fmt: skip

    def needles(self, indicators=None, chart: bool = False) -> dict[str, list]:
        """Printed form -> hidden cells (of `indicators`, default all) printed so.

        Left out: for text, plain whole numbers and every form a published cell prints as; for a chart's labels,
        the forms of the published values of the same indicators.
        """
        chosen = self._legitimate.keys() if indicators is None else indicators
        which = 0 if chart else 1
        legitimate = set().union(*(self._legitimate[i][which] for i in chosen if i in self._legitimate))
        if not chart:
            legitimate |= self.derived
        found = defaultdict(list)
        for cell, forms in self._hidden_forms:
            if indicators is None or cell.indicator in indicators:
                for form in forms - legitimate:
                    if not chart and _INTERVAL.search(form) and set(form.split("–")) <= self.derived:
                        continue  # the interval of two derived numbers the output prints (e.g. an SMR's limits)
                    if chart or _DISTINCTIVE.search(form):
                        found[form].append(cell)
        return found

    @cached_property
    def mentions(self) -> dict[str, tuple[str, ...]]:
        """Indicator id -> the lower-case words that name it in a text: its name, the name without a part in
        brackets, and its name in sentences without the article ("kinderarmut")."""
        found = {}
        for indicator, name in self.names.items():
            words = {name.lower(), re.sub(r"\s*\(.*?\)", "", name).strip().lower()}
            in_text = self.names_in_text.get(indicator, "")
            if in_text:
                words.add(re.sub(r"^(der|die|das|den|dem|des)\s+", "", in_text.strip(), flags=re.I).lower())
            found[indicator] = tuple(sorted(word for word in words if word))
        return found

    @cached_property
    def text_needles(self) -> dict[str, list]:
        """`needles()` for free text, worked out once per scope."""
        return self.needles()

    @cached_property
    def _hidden_forms(self) -> list[tuple]:
        return [
            (cell, _forms(cell.unit, cell.value, cell.lower, cell.upper, cell.numerator,
                          *([cell.denominator] if cell.denominator_hidden else [])))
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
        scope = self.scope(area, period, slug)
        area_name = area.name if area else None
        leaks: list[Leak] = []
        for kind, data in outputs.items():
            label = OUTPUT_LABELS[kind] + (f" {slug}.{kind}" if slug else "")
            if kind == "csv":
                rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
                leaks += _audit_download(label, rows, scope)
            elif kind == "xlsx":
                leaks += _audit_download(label, read_xlsx_rows(data), scope)
            elif kind == "parquet":
                frame = pd.read_parquet(io.BytesIO(data))
                rows = [list(frame.columns), *frame.astype(object).where(frame.notna(), None).to_numpy().tolist()]
                leaks += _audit_download(label, rows, scope)
            elif kind == "datapackage":
                leaks += _search(label, [("Beschreibung", data.decode("utf-8"))], scope)
            elif kind in ("html", "slides.html"):
                leaks += _audit_html(label, data.decode("utf-8"), scope, area_name)
                leaks += _projection_leaks(label, data.decode("utf-8"), self.tables)
            elif kind == "ipynb":
                page, plain = _notebook_outputs(data)
                leaks += _audit_html(label, page, scope, area_name)
                leaks += _projection_leaks(label, page, self.tables)
                leaks += _search(label, [("Textausgabe", plain)], scope)
            elif kind.endswith("pdf"):
                leaks += _search(label, _pdf_lines(data), scope)
        return list(dict.fromkeys(leaks))

    def scope(self, area, period: str, slug: str = "") -> _Scope:
        """What a profile of `area` (None: the overview, a focus report) in `period` could show; `slug` names a
        focus report, whose own derived numbers are legitimate in it."""
        tables = self.tables
        if area is None:
            shown = {a.code for a in tables.areas}
        else:
            profile = self.profiles.get(area.code)
            if profile is None or profile.period != period:
                profile = Profile(area, period, tables)
            shown = profile.shown_areas
        focus_slug = slug if slug.startswith(FOCUS_SLUG_PREFIX) else ""
        key = (frozenset(shown), period, focus_slug)
        if key not in self._scopes:
            up_to = periods.sort_key(period)
            hidden = self.hidden
            cells = hidden[hidden["area"].isin(shown) & (hidden["period"].map(periods.sort_key) <= up_to)]
            table = _published(tables)
            rows = table[table["area"].isin(shown) & (table["period"].map(periods.sort_key) <= up_to)]
            published = _describe_cells(rows[~rows["suppressed"].astype(bool)], tables)
            catalogue = tables.catalogue
            self._scopes[key] = _Scope(
                cells,
                published,
                next(a.name for a in tables.areas if a.level == "stadt"),
                dict(zip(catalogue["name"] + " (" + catalogue["unit"] + ")", catalogue["id"], strict=True)),
                dict(zip(catalogue["id"], catalogue["name"], strict=True)),
                frozenset(projection.printed_numbers(tables, shown) | focus.printed_numbers(tables, focus_slug, period)
                          | outcome_fragments.printed_numbers(tables, shown, period)),  # fmt: skip
                dict(zip(catalogue["id"], catalogue.get("name_in_text", pd.Series("", index=catalogue.index))
                         .fillna(""), strict=True)),  # fmt: skip
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


def _audit_download(label: str, rows: list[list], scope: _Scope) -> list[Leak]:
    """CSV/XLSX: a hidden cell's row is empty or "•" outside the descriptive columns and the denominator."""
    header = [str(name) for name in rows[0]]
    column = {name: i for i, name in enumerate(header)}
    leaks = []
    for number, row in enumerate(rows[1:], start=2):
        indicator, period = row[column["Kennziffer"]], row[column["Zeitraum"]]
        sex = attacker.SEXES.get(row[column["Geschlecht"]], "") if "Geschlecht" in column else ""
        own = scope.lookup(indicator, row[column["Gebiet"]], period, sex)
        city = scope.lookup(indicator, scope.city_name, period, sex)
        for name, value in zip(header, row, strict=False):
            cell = city if name == CITY_COLUMN else None if name in DESCRIPTIVE_COLUMNS else own
            if name == DENOMINATOR_COLUMN and own is not None and own.denominator_hidden:
                cell = own
            if cell is not None and value not in (None, "", SUPPRESSED_MARKER, HIDDEN_LABEL):
                leaks.append(_leak(label, cell, f"Zeile {number}, Spalte {name}"))
    return leaks


def _projection_leaks(label: str, page: str, tables: ProfileTables) -> list[Leak]:
    """Projected counts the rule hides that a projection table shows (`publish.projection.hidden_cells_shown`)."""
    names = {a.code: a.name for a in tables.areas}
    return [
        Leak(label, f"Bevölkerungsprognose „{group}“", f"Gebiet {names.get(code, code)} ({code})", year, where)
        for code, group, year, where in projection.hidden_cells_shown(page, tables)
    ]


def _audit_html(label: str, page: str, scope: _Scope, area_name: str | None) -> list[Leak]:
    soup = BeautifulSoup(page, "html.parser")
    for invisible in soup.find_all(["script", "style"]):
        invisible.decompose()
    leaks = _audit_indicator_tables(label, soup, scope, area_name) + _audit_figures(label, soup, scope)
    units = [(_place("Text", node), str(node), _context(node)) for node in soup.find_all(string=True)]
    for tag in soup.find_all(True):
        units += [
            (_place(f"Attribut {name} von <{tag.name}>", tag), tag[name], _context(tag, tag[name]))
            for name in ATTRIBUTES if tag.get(name)
        ]  # fmt: skip
    return leaks + _search(label, units, scope)


#: The elements whose text is the context of a number in them (the nearest one counts).
CONTEXT_ELEMENTS = ("tr", "li", "p", "figure", "caption", "figcaption", "h1", "h2", "h3", "h4", "dd", "dt")


def _context(node, own: str = ""):
    """The text around a node, as a function (worked out only for a match): the nearest table row (with the
    table's caption), list item, paragraph or figure, and the node's own text (an attribute's value)."""

    def context() -> str:
        block = node if getattr(node, "name", None) in CONTEXT_ELEMENTS else node.find_parent(CONTEXT_ELEMENTS)
        texts = [own, str(node) if isinstance(node, str) else ""]
        if block is not None:
            texts.append(block.get_text(" ", strip=True))
            table = block.find_parent("table") if block.name == "tr" else None
            if table is not None and table.caption:
                texts.append(table.caption.get_text(" ", strip=True))
            figure = block if block.name == "figure" else block.find_parent("figure")
            if figure is not None:
                texts.append(figure.get_text(" ", strip=True))
        return " ".join(texts)

    return context


def _place(what: str, node):
    """Where a node is, as a function: the section heading is looked up only for a match."""

    def where() -> str:
        heading = node.find_previous(["h1", "h2"])
        return f"{what} im Abschnitt „{heading.get_text(' ', strip=True) if heading else 'Anfang'}“"

    return where


def _audit_indicator_tables(label: str, soup, scope: _Scope, area_name: str | None) -> list[Leak]:
    """Rows of hidden cells in the report's indicator tables (the profile's own area) show no digit."""
    leaks = []
    for table in soup.select("table.indicators:not(.outcomes)"):  # outcome tables: `publish.outcomes`, tested there
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


def _search(label: str, units: list[tuple], scope: _Scope) -> list[Leak]:
    """Whole-number matches of the scope's free-text needles in (place, text[, context]) units; a place and a
    context are strings or functions making them.

    A hidden interval ("12,3–15,8") is a leak wherever it stands: two limits with decimals do not recur by chance.
    A single hidden number ("12,3") is one only where the context (the text itself without one) names the hidden
    cell's indicator: the same number printed for another indicator or area reveals nothing.
    """
    needles = scope.text_needles
    if not needles:
        return []
    pattern = _whole_number_pattern(tuple(sorted(needles, key=lambda form: (-len(form), form))))
    leaks = []
    for where, content, *around in units:
        for match in pattern.finditer(content):
            context = around[0] if around else content
            context = (context() if callable(context) else context).lower()
            interval = _INTERVAL.search(match.group()) is not None
            for cell in needles[match.group()]:
                if interval or any(word in context for word in scope.mentions.get(cell.indicator, ())):
                    leaks.append(_leak(label, cell, where() if callable(where) else where))
    return leaks


def _pdf_lines(data: bytes) -> list[tuple[str, str, str]]:
    """The PDF's text (pdftotext, layout kept) as (page and line, text, the line with two lines on either side)."""
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    pages = [page.splitlines() for page in result.stdout.decode("utf-8").split("\f")]
    return [
        (f"Seite {page}, Zeile {line}", content, " ".join(lines[max(line - 3, 0) : line + 2]))
        for page, lines in enumerate(pages, start=1)
        for line, content in enumerate(lines, start=1)
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


def audit_folder(output_dir: Path, data_dir: Path | None = None, cache=None) -> list[Leak]:
    """Audit an already built folder (every period sub-folder) against the data it was built from (`cache`: see
    `content.indicators.apply_suppression`)."""
    dataset = load_dataset(data_dir)
    tables = compute_tables(dataset, cache=cache)
    hidden = hidden_cells(dataset, tables)
    audit = OutputAudit(hidden, tables)
    slugs = {OVERVIEW_SLUG: None} | {a.slug: a.code for a in tables.areas}
    slugs |= {group.slug: None for group in focus_groups(tables.metadata)}  # focus reports: their areas and the city
    leaks = []
    for folder in sorted(p for p in Path(output_dir).iterdir() if p.is_dir() and not p.name.startswith(".")):
        try:
            period = str(periods.Period.parse(folder.name))
        except ValueError:
            continue  # not a period's folder
        leaks += audit_tables(tables, period, cells=hidden)
        for slug, code in slugs.items():
            files = {kind: folder / f"{slug}.{kind}" for kind in OUTPUT_KINDS}
            outputs = {kind: path.read_bytes() for kind, path in files.items() if path.is_file()}
            if outputs:
                leaks += audit(outputs, code, period, slug)
        open_data = {kind: folder / name for kind, name in OPEN_DATA_FILES.items() if (folder / name).is_file()}
        if open_data:
            outputs = {kind: path.read_bytes() for kind, path in open_data.items()}
            leaks += audit(outputs, None, period, OPEN_DATA_SLUG)
        cells = attacker.cells_from_files(folder, tables.catalogue)
        leaks += attacker_leaks(f"Veröffentlichte Tabellen in {folder.name}/", cells, tables)
    return leaks


def main(argv: list[str] | None = None, prog: str | None = None, cache=None) -> int:
    """``python -m quartiersprofile.publish.audit PROFILES [--data DATA]``: print the leaks, exit 1 if there are any."""
    parser = argparse.ArgumentParser(prog=prog, description="Datenschutzprüfung eines gebauten Profilordners.")
    parser.add_argument("output_dir", type=Path)
    parser.add_argument("--data", type=Path, default=None, help="Datenordner (Standard: data/)")
    args = parser.parse_args(argv)
    leaks = audit_folder(args.output_dir, args.data, cache)
    for leak in leaks:
        print(leak)
    print(f"{len(leaks)} Befund(e)." if leaks else "Keine Befunde: kein unterdrückter Wert sichtbar.")
    return 1 if leaks else 0


if __name__ == "__main__":
    sys.exit(main())
