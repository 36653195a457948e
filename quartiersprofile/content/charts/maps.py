"""Maps of the Ortsteile: the schematic tile map of Bremerhaven, or real boundaries from a GeoJSON."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize, to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch, Patch, PathPatch, Polygon
from matplotlib.path import Path

from ..text import (
    format_number,
    hyphenator,
)
from .style import (
    HIGHLIGHT,
    SEQUENTIAL_CMAP,
    TILE_GREY,
    WESER_BLUE,
    Chart,
    GermanFormatter,
    legend_below,
    patch_handle,
    styled,
    text_width,
    wrap_to_width,
)

# Schematic tile grid of the 24 Ortsteile, (column west->east, row north->south); the Weser runs west of
# column 1. North: Weddewarden, Leherheide, Lehe; centre: Mitte, Geestemünde with Schiffdorferdamm to the
# east; south: Surheide, Wulsdorf, Fischereihafen and Luneplate.
TILE_GRID = {
    "111": (1, 0), "121": (2, 0),
    "123": (2, 1), "122": (3, 1),
    "135": (1, 2), "131": (2, 2), "132": (3, 2), "137": (4, 2),
    "134": (1, 3), "133": (2, 3), "136": (3, 3),
    "142": (1, 4),
    "141": (1, 5), "211": (2, 5), "214": (3, 5), "221": (4, 5),
    "213": (1, 6), "212": (2, 6), "215": (3, 6),
    "251": (1, 7), "241": (2, 7), "231": (3, 7),
    "252": (1, 8), "242": (2, 8),
}  # fmt: skip
TILE_SIZE = 0.88  # of one grid cell
TILE_INCHES = 0.62  # grid cell size on paper
#: Place names on the tiles. 7.5 pt, as the row charts' labels: the map is about as wide as a phone's text column
#: (its colour scale lies below it, not beside it), so it is shown at about its natural size there (10 CSS px).
MAP_FONTSIZE = 7.5

# --- maps ---------------------------------------------------------------------------------------------


def wrap_name(name: str, width: float, weight: str = "normal") -> str:
    """Break a place name into lines no wider than ``width`` points: after its own hyphens, else at the
    last German syllable break that fits and leaves four letters ("Fischerei-/hafen", not "...ha-/fen")."""

    def fits(text: str) -> bool:
        return text_width(text, MAP_FONTSIZE, weight) <= width

    lines: list[str] = []
    for part in re.split(r"(?<=-)", name):
        if lines and fits(lines[-1] + part):
            lines[-1] += part
            continue
        while not fits(part):
            splits = [(head + "-", tail) for head, tail in hyphenator().iterate(part) if fits(head + "-")]
            if not splits:
                break
            head, part = next((split for split in splits if len(split[1].rstrip("-")) >= 4), splits[0])
            lines.append(head)
        lines.append(part)
    return "\n".join(lines)


def _tile_rings(codes: Iterable[str]) -> dict[str, list[np.ndarray]]:
    """Each Ortsteil's grid cell as a closed unit square (x = column, y = -row, so north is up)."""
    unknown = sorted(set(codes) - TILE_GRID.keys())
    if unknown:
        raise ValueError(
            f"Keine Kachelposition für Ortsteil(e) {', '.join(unknown)}; bekannt sind die Codes "
            f"{min(TILE_GRID)}–{max(TILE_GRID)}. Für andere Gebiete bitte eine GeoJSON-Datei übergeben."
        )
    square = np.array([(-0.5, -0.5), (0.5, -0.5), (0.5, 0.5), (-0.5, 0.5), (-0.5, -0.5)])
    return {code: [square + (TILE_GRID[code][0], -TILE_GRID[code][1])] for code in codes}


def _polygon_rings(geometry: dict) -> list:
    if geometry["type"] == "Polygon":
        return geometry["coordinates"]
    if geometry["type"] == "MultiPolygon":
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    raise ValueError(
        f"GeoJSON-Geometrie {geometry['type']!r} wird nicht unterstützt (nur Polygon, MultiPolygon)."
    )


def _geojson_rings(geojson: dict) -> dict[str, list[np.ndarray]]:
    """Each feature's rings keyed by its ``code`` property, longitude scaled by cos(latitude)."""
    rings = {
        str(feature["properties"]["code"]): [
            np.asarray(r, dtype=float) for r in _polygon_rings(feature["geometry"])
        ]
        for feature in geojson["features"]
    }
    latitudes = np.concatenate([ring[:, 1] for code_rings in rings.values() for ring in code_rings])
    scale = (math.cos(math.radians((latitudes.min() + latitudes.max()) / 2)), 1.0)
    return {code: [ring * scale for ring in code_rings] for code, code_rings in rings.items()}


def _label_point(rings: list[np.ndarray]) -> tuple[float, float]:
    """Centroid of the largest ring (shoelace formula)."""

    def area_and_centroid(ring: np.ndarray) -> tuple[float, np.ndarray]:
        x, y = ring[:-1, 0], ring[:-1, 1]
        cross = x * np.roll(y, -1) - np.roll(x, -1) * y
        area = cross.sum() / 2
        if area == 0:
            return 0.0, ring.mean(axis=0)
        return abs(area), np.array(
            [((x + np.roll(x, -1)) * cross).sum(), ((y + np.roll(y, -1)) * cross).sum()]
        ) / (6 * area)

    return tuple(max((area_and_centroid(ring) for ring in rings), key=lambda pair: pair[0])[1])


def _group_outlines(rings: dict[str, list[np.ndarray]], groups: dict[str, str]) -> LineCollection:
    """Outline of each group (Stadtteil): the ring edges not shared by two areas of the same group."""
    edges: Counter = Counter()
    for code, code_rings in rings.items():
        for ring in code_rings:
            points = [tuple(np.round(point, 9)) for point in ring]
            for a, b in zip(points[:-1], points[1:], strict=True):
                if a != b:
                    edges[groups.get(code), frozenset((a, b))] += 1
    segments = [sorted(edge) for edge in {edge for (_, edge), count in edges.items() if count == 1}]
    return LineCollection(segments, colors="#555555", linewidths=0.8, capstyle="round")


def _area_patch(rings: list[np.ndarray], schematic: bool) -> Patch:
    """A rounded tile inside the grid cell, or the real (multi)polygon with its holes."""
    if schematic:
        x, y = _label_point(rings)
        half = TILE_SIZE / 2
        return FancyBboxPatch(
            (x - half, y - half), TILE_SIZE, TILE_SIZE, boxstyle="round,pad=0,rounding_size=0.12"
        )
    return PathPatch(Path.make_compound_path(*(Path(ring, closed=True) for ring in rings)))


def _highlight_label(highlighted: list[str], ortsteile: pd.DataFrame) -> str:
    """Short legend label: the names of one or two Ortsteile, a whole Stadtteil, or their number."""
    chosen = ortsteile[ortsteile["code"].astype(str).isin(highlighted)]
    stadtteile = chosen["stadtteil_code"].unique()
    if len(highlighted) <= 2:
        return ", ".join(chosen["name"]) or ", ".join(highlighted)
    if len(stadtteile) == 1 and len(chosen) == (ortsteile["stadtteil_code"] == stadtteile[0]).sum():
        return f"Stadtteil {chosen['stadtteil_name'].iloc[0]}"
    return f"{len(highlighted)} ausgewählte Ortsteile"


def _draw_weser(ax) -> None:
    """The river as a band west of the tiles, widening to the north as the estuary does."""
    ax.add_patch(Polygon([(-0.75, 0.55), (0.45, 0.55), (0.45, -8.55), (0.0, -8.55)], facecolor=WESER_BLUE))
    ax.text(
        -0.05,
        -4.0,
        "Weser",
        rotation=90,
        ha="center",
        va="center",
        fontsize=8,
        fontstyle="italic",
        color="#2F5F8A",
    )


def _north_arrow(ax, x: float, y: float, length: float) -> None:
    ax.annotate(
        "N",
        xy=(x, y),
        xytext=(x, y - length),
        ha="center",
        va="top",
        fontsize=8,
        arrowprops={"arrowstyle": "-|>", "color": "#333333", "linewidth": 0.8},
    )


@styled
def tile_map(
    ortsteile: pd.DataFrame,
    highlight: str | Iterable[str] | None,
    values: pd.Series | None = None,
    geojson: dict | None = None,
) -> Chart:
    """Map of the Ortsteile: a schematic tile map along the Weser, or real polygons from ``geojson``.

    ``ortsteile``: ``code, name, stadtteil_code, stadtteil_name``. ``highlight``: one code or several.
    ``values`` (Series by code, its name used as the scale label) colours the areas on a sequential scale with
    a colour bar; areas without a value stay white. ``geojson``: a FeatureCollection whose features carry the
    property ``code``; Stadtteil outlines are drawn where neighbouring polygons share their vertices.
    """
    # Long on purpose: tiles, labels, colour scale and legend depend on each other's geometry.
    codes = ortsteile["code"].astype(str)
    names = dict(zip(codes, ortsteile["name"], strict=True))
    stadtteile = dict(zip(codes, ortsteile["stadtteil_name"], strict=True))
    highlighted = sorted(
        {str(highlight)} if isinstance(highlight, str | int) else {str(c) for c in highlight or []}
    )
    if values is not None:
        values = pd.Series(values.to_numpy(dtype=float), index=values.index.astype(str), name=values.name)
    schematic = geojson is None
    rings = _tile_rings(codes) if schematic else _geojson_rings(geojson)

    fig = Figure(figsize=(5.4 * TILE_INCHES + 0.3, 9.2 * TILE_INCHES + (1.45 if values is not None else 0.7)))
    ax = fig.subplots()
    ax.set_axis_off()
    ax.set_aspect("equal")
    if values is not None:
        norm = Normalize(values.min(), values.max())
        cmap = matplotlib.colormaps[SEQUENTIAL_CMAP]
    label_width = TILE_SIZE * TILE_INCHES * 72 - 2
    for code, code_rings in rings.items():
        chosen = code in highlighted
        if values is None:
            face, edge, linewidth = (HIGHLIGHT if chosen else TILE_GREY), "white", 0.6
        else:
            value = values.get(code, np.nan)
            face = "white" if pd.isna(value) else cmap(norm(value))
            edge, linewidth = ("black", 2.0) if chosen else ("#777777", 0.5)
        ax.add_patch(_area_patch(code_rings, schematic)).set(
            facecolor=face, edgecolor=edge, linewidth=linewidth
        )
        if schematic or chosen:
            weight = "bold" if chosen else "normal"
            dark = np.dot(to_rgb(face), (0.299, 0.587, 0.114)) < 0.5
            ax.text(
                *_label_point(code_rings),
                wrap_name(names.get(code, code), label_width, weight),
                ha="center",
                va="center",
                fontsize=MAP_FONTSIZE,
                linespacing=1.05,
                fontweight=weight,
                color="white" if dark else "#222222",
            )
    ax.add_collection(_group_outlines(rings, {c: stadtteile.get(c, c) for c in rings}))
    if schematic:
        _draw_weser(ax)
        ax.set_xlim(-0.8, 4.6)
        ax.set_ylim(-8.6, 0.6)
        _north_arrow(ax, 4.2, 0.45, 0.9)
    else:
        ax.autoscale_view()
        (_, x_max), (y_min, y_max) = ax.get_xlim(), ax.get_ylim()
        _north_arrow(ax, x_max, y_max, 0.1 * (y_max - y_min))

    handles = [Line2D([], [], color="#555555", linewidth=0.8, label="Stadtteilgrenze")]
    if highlighted:
        label = _highlight_label(highlighted, ortsteile)
        handles.insert(0, patch_handle(HIGHLIGHT, label) if values is None else patch_handle("white", label, "black"))
    if values is not None and values.reindex(list(rings)).isna().any():
        handles.append(patch_handle("white", "kein Wert", "#777777"))
    legend_below(fig, handles, ncols=1)
    if values is not None:
        bar = fig.colorbar(
            matplotlib.cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax, location="bottom", shrink=0.8, aspect=22
        )
        bar.ax.xaxis.set_major_formatter(GermanFormatter())
        bar.set_label(wrap_to_width(str(values.name or ""), 5.4 * TILE_INCHES * 72, 8.5))
        bar.outline.set_linewidth(0.5)

    alt = [
        "Schematische Karte der 24 Ortsteile Bremerhavens als Kacheln, von Weddewarden im Norden bis zur "
        "Luneplate im Süden, die Weser im Westen."
        if schematic
        else f"Karte der {len(rings)} Ortsteile Bremerhavens."
    ]
    if highlighted:
        alt.append(
            "Hervorgehoben: "
            + ", ".join(f"{names[c]} (Stadtteil {stadtteile[c]})" if c in names else c for c in highlighted)
            + "."
        )
    if values is not None and values.notna().any():
        low, high = values.idxmin(), values.idxmax()
        alt.append(
            f"Farbskala {values.name or 'Wert'}: von {format_number(values[low])} ({names.get(low, low)}) "
            f"bis {format_number(values[high])} ({names.get(high, high)})."
        )
    return Chart(fig, " ".join(alt))
