"""Charts: each function takes a tidy table and returns a `Chart` (a matplotlib figure and its German alt text).

`style` holds the one shared style (palette, fonts, German number format) and the helpers every chart uses;
`population`, `comparison` and `maps` the charts; `png` draws a chart as PNG bytes that list their texts.
"""

from .comparison import district_bars, spine_chart, spine_positions, trend_chart
from .maps import TILE_GRID, tile_map
from .png import drawn_png
from .population import age_groups, population_development, population_pyramid
from .style import PALETTE, STYLE, Chart

__all__ = [
    "PALETTE",
    "STYLE",
    "TILE_GRID",
    "Chart",
    "age_groups",
    "district_bars",
    "drawn_png",
    "population_development",
    "population_pyramid",
    "spine_chart",
    "spine_positions",
    "tile_map",
    "trend_chart",
]
