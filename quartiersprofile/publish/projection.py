"""The population projection in the reports: HTML for the section "Bevölkerungsentwicklung und Prognose" of
every profile, the comparison of all areas (city profile, overview, focus reports) and its Methodik.

The template notebooks call these through `report` (one call per cell); the numbers come from
`quartiersprofile.content.projection`, so the table, the sentences and the charts show the same rounded numbers,
and the small-number rule hides the same counts everywhere ("•").
"""

from __future__ import annotations

import html
import re

import pandas as pd
from bs4 import BeautifulSoup

from ..content import charts, text
from ..content import projection as content
from ..content.overview import focus_codes, level_areas
from ..content.profile import Profile
from ..content.tables import ProfileTables
from ..model.age_bands import AGE_GROUPS, age_group_label
from ..stats.suppression import SUPPRESSED_MARKER
from .fragments import chart_to_html

SUPPRESSED_TITLE = "wegen kleiner Zahlen nicht ausgewiesen"
INTERVAL_HEADER = "80-%-Spanne"


def _suppressed() -> str:
    return f"<abbr class='suppressed' title='{SUPPRESSED_TITLE}'>{SUPPRESSED_MARKER}</abbr>"


def _unavailable(projection: content.ProjectionTables | None) -> str:
    note = projection.note if projection is not None else "Für diese Daten wurde keine Prognose berechnet."
    return f"<p class='note projection-note'>{html.escape(note)}</p>"


def count_text(value: float) -> str:
    """A count as the table prints it (whole people), "–" when missing."""
    return text.format_count(value)


def interval_text(lower: float, upper: float) -> str:
    return f"{text.format_count(lower)}–{text.format_count(upper)}"


def change_text(value: float) -> str:
    return f"{content.format_change(value)}{text.NBSP}%"


def change_interval_text(lower: float, upper: float) -> str:
    return f"{content.format_change(lower)} bis {content.format_change(upper)}{text.NBSP}%"


def _number(shown: str, hidden: bool, kind: str, year: int, css: str = "") -> str:
    """One number of a projection table, marked with what it is (`kind`, `year`) for the disclosure audit."""
    css = f" class='{css}'" if css else ""
    return f"<span{css} data-kind='{kind}' data-year='{year}'>{_suppressed() if hidden else html.escape(shown)}</span>"


def _cell(*numbers: str) -> str:
    """A table cell of one number, or of a number with its interval in the line below."""
    return f"<td class='num'>{'<br>'.join(numbers)}</td>"


def value_cell(row: pd.Series, h: int) -> str:
    """The projection `h` years ahead and its interval below it."""
    year = int(row[f"year_{h}"])
    return _cell(
        _number(count_text(row[f"value_{h}"]), row[f"value_{h}_hidden"], "value", year),
        _number(interval_text(row[f"lower_{h}"], row[f"upper_{h}"]), row[f"interval_{h}_hidden"], "interval", year,
                "ci"),
    )  # fmt: skip


def change_cell(row: pd.Series, h: int) -> str:
    """The change until `h` years ahead in percent and its interval below it."""
    year = int(row[f"year_{h}"])
    return _cell(
        _number(change_text(row[f"change_{h}"]), row[f"change_{h}_hidden"], "change", year),
        _number(change_interval_text(row[f"change_lower_{h}"], row[f"change_upper_{h}"]),
                row[f"change_interval_{h}_hidden"], "change-interval", year, "ci"),
    )  # fmt: skip


def now_cell(row: pd.Series, launch: int) -> str:
    return _cell(_number(count_text(row["now"]), row["now_hidden"], "now", launch))


def table_html(profile: Profile) -> str:
    """The age groups of the area now and 5 and 10 years ahead: counts, 80 % intervals and the change, the
    projected columns marked as such; hidden cells "•" (the note under the table says why)."""
    projection = profile.tables.projection
    if projection is None or not projection.available:
        return _unavailable(projection)
    table = content.area_table(projection, profile.area.code, profile.tables.rule)
    launch, (first, last) = projection.launch_year, projection.years
    caption = f"{profile.name}: Einwohner:innen nach Altersgruppen {launch} und Prognose für {first} und {last}"
    head = (
        "<tr><th scope='col'>Altersgruppe</th>"
        f"<th scope='col' class='num'>{launch}<br><span class='unit'>Melderegister</span></th>"
        f"<th scope='col' class='num'>{first}: Prognose<br><span class='unit'>({INTERVAL_HEADER})</span></th>"
        f"<th scope='col' class='num'>{last}: Prognose<br><span class='unit'>({INTERVAL_HEADER})</span></th>"
        f"<th scope='col' class='num'>Veränderung {launch}–{last}<br><span class='unit'>Prognose "
        f"({INTERVAL_HEADER})</span></th></tr>"
    )
    body = []
    for _, row in table.iterrows():
        cells = [now_cell(row, launch), *(value_cell(row, h) for h in content.HORIZONS),
                 change_cell(row, content.HORIZONS[-1])]  # fmt: skip
        css = " class='total'" if row["group"] == content.TOTAL_LABEL else ""
        body.append(
            f"<tr{css} data-group='{html.escape(row['group'])}'><th scope='row'>{html.escape(row['group'])}</th>"
            f"{''.join(cells)}</tr>"
        )
    hidden_any = table.filter(like="_hidden").to_numpy().any()
    notes = [
        f"{launch}: Einwohner:innen mit Hauptwohnsitz am 31.12. laut Melderegister. Alle anderen Zahlen sind "
        f"Prognosen (Vorausberechnung, Stand {launch}): die wahrscheinlichste Zahl und die Spanne, in der sie mit "
        f"{text.format_number(100 * projection.coverage, 0)} % Wahrscheinlichkeit liegt, geschätzt aus den "
        "Fehlern früherer Prognosen dieser Methode (siehe Methodik).",
    ]
    if hidden_any:
        notes.append(
            f"{SUPPRESSED_MARKER} {SUPPRESSED_TITLE}: Zahlen von 1 bis {profile.tables.rule.min_count - 1} Personen "
            "und Veränderungen, die auf ihnen beruhen."
        )
    return (
        f"<div class='table-scroll' role='region' tabindex='0' aria-label='{html.escape(caption)}'>"
        f"<table class='projection' data-area='{html.escape(profile.area.code)}'><caption>{html.escape(caption)}"
        f"</caption><thead>{head}</thead><tbody>{''.join(body)}</tbody></table></div>"
        + "".join(f"<p class='table-note'>{html.escape(note)}</p>" for note in notes)
    )


def sentences_html(profile: Profile) -> str:
    """One sentence per age group (`content.projection.sentences`), with the numbers of the table."""
    projection = profile.tables.projection
    if projection is None or not projection.available:
        return ""
    items = "".join(
        f"<li>{html.escape(s)}</li>" for s in content.sentences(projection, profile.area, profile.tables.rule)
    )
    return f"<ul class='projection-findings'>{items}</ul>"


def pyramid_html(profile: Profile) -> str:
    """The age pyramid of the launch year (bars) against the projection 10 years ahead (outline)."""
    projection = profile.tables.projection
    if projection is None or not projection.available:
        return ""
    launch, target = projection.launch_year, projection.years[-1]
    frame = content.pyramid(projection, profile.tables.population, profile.area.code, profile.tables.rule)
    chart = charts.projection_pyramid(frame, profile.name, launch, target)
    caption = (
        f"Altersaufbau {profile.name}: Einwohner:innen {launch} (Balken) und Prognose für {target} (Linie), "
        "Männer links, Frauen rechts"
    )
    return chart_to_html(chart, caption)


def comparison_html(tables: ProfileTables, areas: list, caption: str, highlight: tuple[str, ...] = (),
                    highlight_label: str = "Fokusgebiet") -> str:  # fmt: skip
    """The projected change of the 65-79 and 80+ year olds in `areas`, ranked (`charts.projected_changes`)."""
    projection = tables.projection
    if projection is None or not projection.available:
        return _unavailable(projection)
    frame = content.changes(projection, list(areas), tables.rule)
    chart = charts.projected_changes(frame, projection.years[-1], highlight=highlight, highlight_label=highlight_label)
    return chart_to_html(chart, caption)


def _comparison_caption(level_name: str, projection: content.ProjectionTables) -> str:
    groups = " und ".join(f"der {content.group_phrase(lo, hi)}" for lo, hi in content.COMPARED_GROUPS)
    return (
        f"{level_name}: voraussichtliche Veränderung der Zahl {groups} von {projection.launch_year} bis "
        f"{projection.years[-1]} in %, mit {INTERVAL_HEADER}"
    )


def city_comparison_html(profile: Profile) -> str:
    """For the city's profile: all Stadtteile and the city side by side; nothing for any other area."""
    projection = profile.tables.projection
    if profile.area.level != "stadt" or projection is None or not projection.available:
        return ""
    areas = [*level_areas(profile.tables, "stadtteil"), profile.city]
    caption = _comparison_caption("Stadtteile und Bremerhaven", projection)
    return comparison_html(profile.tables, areas, caption, (profile.city.code,), profile.city.name)


def show_city_comparison(profile: Profile) -> None:
    """Display `city_comparison_html` in the city's profile; nothing (no output) in any other profile."""
    # Imported here: the build's client imports this module (through `focus`) and never displays anything.
    from IPython.display import HTML, display

    fragment = city_comparison_html(profile)
    if fragment:
        display(HTML(fragment))


def overview_html(tables: ProfileTables, highlight: tuple[str, ...] | None = None) -> str:
    """For the overview: all Ortsteile, then all Stadtteile and the city, ranked by the projected change of the
    older age groups; `highlight` (default: the overview's focus districts, `content.overview.focus_codes`) in the
    highlight colour."""
    highlight = focus_codes(tables) if highlight is None else highlight
    projection = tables.projection
    if projection is None or not projection.available:
        return _unavailable(projection)
    city = next(a for a in tables.areas if a.level == "stadt")
    parts = (
        (level_areas(tables, "ortsteil"), "Ortsteile"),
        ([*level_areas(tables, "stadtteil"), city], "Stadtteile und Bremerhaven"),
    )
    return "".join(
        comparison_html(tables, areas, _comparison_caption(name, projection), highlight) for areas, name in parts
    )


def error_table_html(projection: content.ProjectionTables) -> str:
    """The back-test error by area-size class (MAPE in %, one decimal) as the script benchmarks/ prints it."""
    table = content.error_table(projection)
    columns = [c for c in table.columns if c.startswith("MAPE ")]
    horizon = int(table["horizon"].iloc[0])
    head = (
        "<tr><th scope='col'>Gebiete mit … Einwohner:innen</th><th scope='col' class='num'>Gebiete</th>"
        + "".join(f"<th scope='col' class='num'>{html.escape(c)} (%)</th>" for c in columns)
        + "</tr>"
    )
    body = "".join(
        f"<tr><th scope='row'>{html.escape(str(row['size_class']))}</th><td class='num'>{int(row['areas'])}</td>"
        + "".join(f"<td class='num' data-column='{html.escape(c)}'>{text.format_number(row[c], 1)}</td>"
                  for c in columns)
        + "</tr>"
        for _, row in table.iterrows()
    )
    caption = f"Rückrechnung: mittlerer absoluter Prognosefehler (MAPE) nach {horizon} Jahren, nach Gebietsgröße"
    return (
        f"<div class='table-scroll' role='region' tabindex='0' aria-label='{html.escape(caption)}'>"
        f"<table class='projection-errors'><caption>{html.escape(caption)}</caption><thead>{head}</thead>"
        f"<tbody>{body}</tbody></table></div>"
    )


def methods_html(source: Profile | ProfileTables) -> str:
    """How the projection is made, how good it was in the back-test (the numbers computed from the data of this
    build), and how small numbers are treated. `source`: a profile (or a focus report) or the build's tables."""
    tables = getattr(source, "tables", source)
    projection = tables.projection
    if projection is None or not projection.available:
        return f"<div class='methods'><h3>Bevölkerungsprognose</h3>{_unavailable(projection)}</div>"
    launch, target = projection.launch_year, projection.years[-1]
    base = projection.settings.get("base_years") or "alle"
    groups = ", ".join(age_group_label(lo, hi) for lo, hi in AGE_GROUPS)
    control = (
        "Die Ortsteile werden je Jahr, Geschlecht und Altersgruppe auf die amtliche Vorausberechnung für die ganze "
        "Stadt (Datei projection.csv) abgestimmt; deren eigene Unsicherheit ist in den Spannen nicht enthalten."
        if projection.control == content.CONTROL_OFFICIAL
        else "Die Ortsteile werden je Jahr, Geschlecht und Altersgruppe auf die ebenso berechnete Prognose der "
        "ganzen Stadt abgestimmt, so dass sie sich genau zu ihr addieren."
    )
    table = content.error_table(projection)
    horizon = int(table["horizon"].iloc[0])
    largest = table.iloc[-1]
    smallest = table.iloc[0]
    total, older = (c for c in table.columns if c.startswith("MAPE "))
    bases = [str(year) for year in projection.settings.get("backtest_base_years", [])]
    paragraphs = [
        f"Die Prognose schreibt die Bevölkerung vom 31.12.{launch} für {projection.horizon} Jahre bis {target} fort, "
        "je Ortsteil nach Geschlecht und 5-Jahres-Altersgruppen; Stadtteile und Stadt sind Summen ihrer Ortsteile. "
        "Sie folgt der Kohorten-Veränderungsraten-Methode (Hamilton-Perry): Wie stark ein Jahrgang in den letzten "
        f"{base} Jahren von einem Jahr zum nächsten zu- oder abgenommen hat – durch Sterbefälle und Umzüge zusammen "
        "–, so wird er weitergeschrieben; die Kinder unter 5 Jahren folgen aus dem Verhältnis von Kindern zu Frauen "
        "von 15 bis 49 Jahren. Die Raten kleiner Ortsteile werden zur Rate der Stadt hin ausgeglichen, je kleiner "
        f"der Ortsteil, desto stärker (empirische Bayes-Schätzung). {control} Die Altersgruppen ({groups}) folgen "
        "den Grenzen der 5-Jahres-Gruppen des Melderegisters; deshalb „unter 20“ statt „unter 18“.",
        f"Wie gut die Methode trifft, zeigt eine Rückrechnung: Aus den Jahren bis {_in_words(bases)} wurde "
        f"jeweils bis {launch} vorausberechnet und mit dem Melderegister verglichen. Nach {horizon} Jahren lag die "
        f"Einwohnerzahl im Mittel (MAPE) um {text.format_number(largest[total], 1)} % daneben in Gebieten mit "
        f"{largest['size_class']} Einwohner:innen und um {text.format_number(smallest[total], 1)} % in Gebieten "
        f"mit {smallest['size_class']} Einwohner:innen; die Zahl der 65- bis 79-Jährigen um "
        f"{text.format_number(largest[older], 1)} % bzw. {text.format_number(smallest[older], 1)} % (Tabelle). "
        f"Aus diesen Fehlern, je Jahr des Vorausblicks, stammen die {text.format_number(100 * projection.coverage, 0)}"
        "-%-Spannen: Sie wachsen mit dem Abstand zum Ausgangsjahr und sind für kleine Gebiete breiter. Dass sich die "
        f"Fehler über {horizon} Jahre hinaus ebenso fortsetzen, ist eine Annahme, die die Daten nicht prüfen können. "
        "Sonderbewohnerschaften (Pflegeheime, Wohnheime, Neubaugebiete) schreibt die Methode wie alle anderen fort.",
        f"Kleine Zahlen: Auch vorausberechnete Zahlen sind Zahlen von Personen. Eine Zahl oder Spannengrenze, die "
        f"gerundet 1 bis {tables.rule.min_count - 1} Personen ergibt, wird nicht ausgewiesen ({SUPPRESSED_MARKER}), "
        "ebenso die Veränderung einer nicht ausgewiesenen Zahl. Ist in einem Gebiet und Jahr nur eine Altersgruppe "
        "verborgen, wird auch die nächstkleinere verborgen, damit sie sich nicht aus der Summe zurückrechnen lässt.",
    ]
    text_html = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (
        f"<div class='methods projection-methods'><h3>Bevölkerungsprognose</h3>{text_html}"
        f"{error_table_html(projection)}</div>"
    )


def _in_words(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} und {items[-1]}"


def group_labels() -> list[str]:
    """The rows of the projection table: the total, then the report's age groups."""
    return [content.TOTAL_LABEL, *(age_group_label(lo, hi) for lo, hi in AGE_GROUPS)]


def area_changes(tables: ProfileTables, areas: list) -> pd.DataFrame:
    return content.changes(tables.projection, list(areas), tables.rule)


# --- disclosure audit ---------------------------------------------------------------------------------------

_PROJECTION_TABLE = re.compile(r"<table class='projection[^']*'.*?</table>", re.DOTALL)
_DIGIT = re.compile(r"\d")


def hidden_cells_shown(page: str, tables: ProfileTables) -> list[tuple[str, str, str, str]]:
    """Every projected count, limit or change that the small-number rule hides (recomputed from the projection,
    not read from the page) but that a projection table of `page` shows with a digit: (area code, age group,
    year, place). The structured check of `publish.audit.OutputAudit`, as for the indicator tables."""
    projection = tables.projection
    if projection is None or not projection.available or "class='projection" not in page:
        return []
    found = []
    expected: dict[str, pd.DataFrame] = {}
    for fragment in _PROJECTION_TABLE.findall(page):
        soup = BeautifulSoup(fragment, "html.parser")
        table = soup.table
        for row in table.find_all("tr", attrs={"data-group": True}):
            code = row.get("data-area") or table.get("data-area")
            if code not in expected:
                expected[code] = content.area_table(projection, code, tables.rule).set_index("group")
            truth = expected[code].loc[row["data-group"]]
            for cell in row.find_all(attrs={"data-kind": True}):
                kind, year = cell["data-kind"], int(cell.get("data-year", projection.launch_year))
                h = year - projection.launch_year
                flag = {
                    "now": "now_hidden",
                    "value": f"value_{h}_hidden",
                    "interval": f"interval_{h}_hidden",
                    "change": f"change_{h}_hidden",
                    "change-interval": f"change_interval_{h}_hidden",
                }[kind]
                if bool(truth[flag]) and _DIGIT.search(cell.get_text()):
                    found.append((code, row["data-group"], str(year), f"Prognosetabelle, Spalte {kind}"))
    return found


def printed_numbers(tables: ProfileTables, codes) -> set[str]:
    """Every number the projection sections print for the areas `codes` (counts, intervals, changes), as text:
    derived from the register and the model only, never from a hidden cell, so the disclosure audit takes them
    as legitimate where they happen to look like a hidden value (`publish.audit`)."""
    projection = tables.projection
    if projection is None or not projection.available:
        return set()
    forms: set[str] = set()
    for code in sorted(set(codes) & {a.code for a in tables.areas}):
        table = content.area_table(projection, code, tables.rule)
        counts = [table["now"], *(table[f"{c}_{h}"] for h in content.HORIZONS for c in ("value", "lower", "upper"))]
        for column in counts:
            forms |= {text.format_count(v) for v in column.dropna()}
        for h in content.HORIZONS:
            shown = table.dropna(subset=[f"lower_{h}", f"upper_{h}"])
            forms |= {interval_text(lo, up) for lo, up in zip(shown[f"lower_{h}"], shown[f"upper_{h}"], strict=True)}
            for column in ("change", "change_lower", "change_upper"):
                forms |= {content.format_change(v, signed=False) for v in table[f"{column}_{h}"].dropna()}
    return forms - {text.MISSING}
