"""A chart drawn once as PNG bytes that name every text they show (read back by the disclosure audit)."""

from __future__ import annotations

import json
import struct
import zlib

import matplotlib
import numpy as np
from matplotlib.figure import Figure

from .style import (
    PNG_DPI,
    STYLE,
    ChartCanvas,
)

# --- output -------------------------------------------------------------------------------------------


PNG_COMPRESS_LEVEL = 4  # zlib level: unfiltered rows at 4 are smaller than Pillow's default PNG and faster


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_bytes(rgba: np.ndarray, texts: dict[str, str], dpi: int) -> bytes:
    """An RGB PNG of the ``(height, width, 4)`` buffer (alpha dropped) with ``texts`` as tEXt chunks.

    RGB: the background is opaque white, and the PDF engine would split off an alpha channel per image. Rows
    are stored unfiltered (PNG filter 0): on the flat colours of a chart that compresses as well as adaptive
    filtering (Pillow's) at a fraction of the time. Chunks as Pillow writes them: IHDR, tEXt, pHYs, IDAT, IEND.
    """
    height, width = rgba.shape[:2]
    stride = 1 + 3 * width  # each row: its filter type byte (0), then RGB
    raw = np.zeros(height * stride, dtype=np.uint8)
    pixels = np.ndarray((height, width, 3), np.uint8, raw, offset=1, strides=(stride, 3, 1))  # a view of raw
    for channel in range(3):  # channel by channel: several times faster than one strided RGBA -> RGB copy
        pixels[..., channel] = rgba[..., channel]
    pixels_per_metre = int(dpi / 0.0254 + 0.5)
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)),
            *(_png_chunk(b"tEXt", f"{key}\0{text}".encode("latin-1")) for key, text in texts.items()),
            _png_chunk(b"pHYs", struct.pack(">IIB", pixels_per_metre, pixels_per_metre, 1)),
            _png_chunk(b"IDAT", zlib.compress(raw, PNG_COMPRESS_LEVEL)),
            _png_chunk(b"IEND", b""),
        ]
    )


def drawn_png(figure: Figure) -> bytes:
    """The figure drawn once as PNG bytes (200 dpi) that name every text they show.

    Two PNG text chunks hold ASCII JSON lists in draw order: ``Labels`` every drawn text (the lines of a
    multi-line text joined by a newline), ``TickLabels`` those of them that are axis tick labels (the scale,
    not data). The disclosure audit (`quartiersprofile.publish.audit`) reads them back. No software or date metadata,
    so the bytes are deterministic.
    """
    drawn: list[list] = []  # per drawn Text: its (line, artist) pairs
    previous_canvas, previous_dpi = figure.canvas, figure.dpi
    canvas = ChartCanvas(figure)
    figure.set_dpi(PNG_DPI)
    renderer = canvas.get_renderer()
    open_group, draw_text = renderer.open_group, renderer.draw_text

    def record_group(name, gid=None):
        if name == "text":  # `Text.draw` opens one group per drawn text, then draws it line by line
            drawn.append([])
        open_group(name, gid)

    def record_text(gc, x, y, s, prop, angle, ismath=False, mtext=None):
        drawn[-1].append((s, mtext))
        draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)

    renderer.open_group, renderer.draw_text = record_group, record_text
    try:
        with matplotlib.rc_context(STYLE):
            canvas.draw()
            ticks = {
                label
                for ax in figure.axes
                for axis in (ax.xaxis, ax.yaxis)
                for tick in axis.get_major_ticks() + axis.get_minor_ticks()
                for label in (tick.label1, tick.label2)
            }
            labels = ["\n".join(line for line, _ in lines) for lines in drawn if lines]
            tick_labels = ["\n".join(line for line, _ in lines) for lines in drawn if lines and lines[0][1] in ticks]
            texts = {"Labels": json.dumps(labels), "TickLabels": json.dumps(tick_labels)}
            png = _png_bytes(np.asarray(canvas.buffer_rgba()), texts, PNG_DPI)
    finally:
        figure.set_canvas(previous_canvas)
        figure.set_dpi(previous_dpi)
    return png
