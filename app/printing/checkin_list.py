"""The vendor check-in list: two tables per page, sorted by booth code, with a tick box per row.

The rows are whatever the caller put in :attr:`LayoutData.vendors` (by default the placed vendors
only); each carries the segment of the map where its booth is printed. When the rows carry the
booth's place in words (:attr:`VendorRow.place`, already translated), each row is taller and the
place is set in small type under the name, across the name, category and phone columns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.printing.model import Paper, PrintLabels, VendorRow
from app.printing.typeset import INK, Pen, fit, natural_key
from app.styles import BOOTH_STYLES

__all__ = ["ListItem", "draw_list_page", "has_places", "list_pages"]

#: A row and the map segment of its booth (None when the booth is on no segment).
ListItem = tuple[VendorRow, int | None]


@dataclass(frozen=True)
class _Grid:
    size_pt: float
    row_h: float
    columns: list[tuple[str, float]]
    gap: float
    block_w: float
    top: float
    per_block: int
    places: bool = False


def _grid(paper: Paper, places: bool = False) -> _Grid:
    big = paper.name == "A3"
    columns = [
        ("booth", 17.0 if big else 15.0),
        ("segment", 11.0 if big else 9.0),
        ("business", 64.0 if big else 50.0),
        ("category", 27.0 if big else 22.0),
        ("phone", 26.0 if big else 23.0),
        ("check_in", 12.0 if big else 11.0),
    ]
    gap = 8.0 if big else 6.0
    block_w = (paper.width_mm - 2 * paper.margin_mm - gap) / 2
    rest = block_w - sum(w for _, w in columns)
    if rest >= 14:
        columns.append(("notes", rest))
    row_h = (4.9 if big else 4.3) * (1.55 if places else 1.0)
    top = paper.height_mm - paper.margin_mm - paper.header_mm - 6
    bottom = paper.margin_mm + 6
    return _Grid(
        7.0 if big else 6.3,
        row_h,
        columns,
        gap,
        block_w,
        top,
        int((top - bottom) // row_h) - 1,
        places,
    )


def has_places(rows: Sequence[VendorRow]) -> bool:
    """Whether any row carries a place in words (the list is then set with taller rows)."""
    return any(r.place for r in rows)


def list_pages(
    rows: Sequence[VendorRow], segments: Mapping[str, int], paper: Paper
) -> list[list[ListItem]]:
    """The rows in booth order, cut into pages (one empty page when there are none)."""
    ordered = sorted(rows, key=lambda r: natural_key(r.booth_code))
    per_page = 2 * _grid(paper, has_places(rows)).per_block
    items = [(r, segments.get(r.booth_code)) for r in ordered]
    return [items[i : i + per_page] for i in range(0, len(items), per_page)] or [[]]


def draw_list_page(
    pen: Pen,
    paper: Paper,
    labels: PrintLabels,
    items: Sequence[ListItem],
    *,
    places: bool = False,
) -> None:
    """One page of the list below the page's header (drawn by the caller); ``places``: the
    list's rows carry places in words (:func:`has_places` of all its rows)."""
    g = _grid(paper, places)
    pen.text(paper.margin_mm, g.top + 2.2, labels.list_hint, paper.text_pt - 0.5)
    heads = {
        "booth": labels.col_booth,
        "segment": labels.col_segment,
        "business": labels.col_business,
        "category": labels.col_category,
        "phone": labels.col_phone,
        "check_in": labels.col_check_in,
        "notes": labels.col_notes,
    }
    for block in range(2):
        chunk = items[block * g.per_block : (block + 1) * g.per_block]
        if not chunk and block:
            break
        x = paper.margin_mm + block * (g.block_w + g.gap)
        _table(pen, x, g, heads, labels, chunk)


def _table(
    pen: Pen,
    x: float,
    g: _Grid,
    heads: Mapping[str, str],
    labels: PrintLabels,
    chunk: Sequence[ListItem],
) -> None:
    fs, row_h, top = g.size_pt, g.row_h, g.top
    lefts = [0.0]
    for _, w in g.columns:
        lefts.append(lefts[-1] + w)
    width = lefts[-1]
    bottom = top - row_h * (len(chunk) + 1)
    for r in range(1, len(chunk), 2):  # stripes under every other row
        pen.rect(x, top - row_h * (r + 2), width, row_h, fill="#f1f3f4")
    pen.rect(x, top - row_h, width, row_h, fill="#37474f")
    for (key, _w), left in zip(g.columns, lefts, strict=False):
        pen.text(
            x + left + 1.2,
            top - row_h / 2,
            heads[key],
            fs,
            weight="bold",
            hex_colour="#ffffff",
            valign="center",
        )
    desk_colour = BOOTH_STYLES["service_desk"].color
    box = min(row_h * 0.62, 3.0)
    keys = [key for key, _ in g.columns]
    place_left = lefts[keys.index("business")]
    place_w = lefts[keys.index("check_in")] - place_left - 2.2
    place_pt = fs - 1.6
    for r, (row, segment) in enumerate(chunk):
        y = top - row_h * (r + 1.5)
        if g.places:  # the name a little up, the place in small type below it
            if row.place:
                pen.text(
                    x + place_left + 1.2,
                    y - row_h * 0.24,
                    fit(row.place, place_w, place_pt, False),
                    place_pt,
                    hex_colour="#37474f",
                    valign="center",
                )
            y += row_h * 0.17
        desk = row.kind == "service_desk"
        name = row.business_name
        if row.owner_name and not desk:
            name = f"{name} ({row.owner_name})" if name else row.owner_name
        values = {
            "booth": row.booth_code,
            "segment": str(segment) if segment is not None else "",
            "business": name,
            "category": (
                labels.booth_states.get("service_desk", "")
                if desk
                else labels.categories.get(row.category, row.category)
            ),
            "phone": row.phone,
        }
        for (key, w), left in zip(g.columns, lefts, strict=False):
            if key == "check_in":
                cx = x + left + w / 2
                pen.rect(cx - box / 2, y - box / 2, box, box, fill="#ffffff", stroke=INK)
                if row.checked_in:
                    pen.text(cx, y, "✓", fs + 1, weight="bold", align="center", valign="center")
                continue
            text = values.get(key, "")
            if text:
                pen.text(
                    x + left + 1.2,
                    y,
                    fit(text, w - 2.2, fs, key == "booth"),
                    fs,
                    weight="bold" if key == "booth" else "normal",
                    hex_colour=desk_colour if desk else INK,
                    valign="center",
                )
    for left in lefts[1:-1]:
        pen.line([(x + left, top - row_h), (x + left, bottom)], stroke="#cfd8dc", width_pt=0.3)
    pen.rect(x, bottom, width, top - bottom, stroke=INK, width_pt=0.6)
