"""Charts: each function takes a tidy table and returns a `Chart` (a matplotlib figure and its German alt text).

`style` holds the one shared style (palette, fonts, German number format) and the helpers every chart uses;
`population`, `comparison`, `maps`, `projection` (the population projection) and `focus` (the focus reports) the
charts; `png` draws a chart as PNG bytes that list their texts.
"""

from .comparison import district_bars, spine_chart, spine_positions, trend_chart
from .focus import focus_trends
from .maps import TILE_GRID, tile_map
from .png import drawn_png
from .population import age_groups, population_development, population_pyramid
from .projection import projected_changes, projection_pyramid
from .style import PALETTE, STYLE, Chart

__all__ = [
    "PALETTE",
    "STYLE",
    "TILE_GRID",
    "Chart",
    "age_groups",
    "district_bars",
    "drawn_png",
    "focus_trends",
    "population_development",
    "population_pyramid",
    "projected_changes",
    "projection_pyramid",
    "spine_chart",
    "spine_positions",
    "tile_map",
    "trend_chart",
]
