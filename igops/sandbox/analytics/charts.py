"""The graphs a results answer asks for: a link, or a small PNG bar chart drawn with the
standard library alone, so the emulator needs no imaging package to answer with real images."""

from __future__ import annotations

import base64
import struct
import zlib
from typing import Any

from .queries import _GraphRequest
from .statistics import _GRAPH_ALIASES


def _png(width: int, height: int, pixels: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(pixels))
        + chunk(b"IEND", b"")
    )


def _bar_chart(values: list[float], baseline: int) -> bytes:
    """A small bar chart: one bar per variation, the control in grey."""
    slot, bar, height = 24, 16, 64
    width = slot * len(values) + 8
    top = max(max(values), 0.0) or 1.0
    heights = [max(0, round(v / top * (height - 8))) for v in values]
    lines = []
    for y in range(height):
        line = bytearray(b"\x00")  # PNG filter type: none
        for x in range(width):
            column, offset = divmod(x - 8, slot)
            filled = x >= 8 and offset < bar and height - y <= heights[column]
            colour = (
                (b"\x99\x99\x99" if column == baseline else b"\x2b\x6c\xb0") if filled else b"\xff\xff\xff"
            )
            line += colour
        lines.append(bytes(line))
    return _png(width, height, b"".join(lines))


def _graphs(
    request: _GraphRequest, rows: list[dict[str, Any]], baseline: int, experience_id: str
) -> list[dict[str, str]]:
    graphs = []
    for key in request.keys:
        shown = _GRAPH_ALIASES.get(key, key)
        graph = {
            "id": f"{experience_id}:{key}",
            "key": key,
            "type": "bar",
            "title": key.replace("_", " ").capitalize(),
        }
        if request.output == "base64":
            values = [row[shown]["value"] or 0.0 for row in rows]
            graph["data"] = base64.b64encode(_bar_chart(values, baseline)).decode()
        else:
            graph["url"] = f"https://graphs.sandbox.invalid/{experience_id}/{key}.png"
        graphs.append(graph)
    return graphs
