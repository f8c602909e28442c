"""WeasyPrint's own layout boxes, for the layout tests: which page a block is on, whether text
stays inside its cell (no renderer mock: the boxes the PDF is drawn from)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def boxes(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", []) or []:
        yield from boxes(child)


def classes(box: Any) -> set[str]:
    element = getattr(box, "element", None)
    if element is None:
        return set()
    return set((element.get("class") or "").split())


def cells_with_class(document: Any, css_class: str) -> list[tuple[int, Any]]:
    """(page index, table cell box) of every cell whose element has ``css_class``."""
    out = []
    for i, page in enumerate(document.pages):
        for box in boxes(page._page_box):
            if type(box).__name__ == "TableCellBox" and css_class in classes(box):
                out.append((i, box))
    return out


def overflow(cell: Any) -> float:
    """How far (CSS px) the widest text of ``cell`` reaches past the cell's content box."""
    right = cell.content_box_x() + cell.width
    worst = 0.0
    for box in boxes(cell):
        if type(box).__name__ == "TextBox":
            worst = max(worst, box.position_x + box.width - right)
    return worst


def pages_of(document: Any, css_class: str) -> set[int]:
    """The pages (0-based) on which a box of ``css_class`` is laid out."""
    return {
        i
        for i, page in enumerate(document.pages)
        for box in boxes(page._page_box)
        if css_class in classes(box)
    }


def split_rows(document: Any) -> int:
    """How many body rows of the document's tables are laid out on more than one page."""
    seen: dict[int, set[int]] = {}
    for i, page in enumerate(document.pages):
        for box in boxes(page._page_box):
            if type(box).__name__ == "TableRowGroupBox" and not box.is_header:
                for row in box.children:
                    seen.setdefault(id(row.element), set()).add(i)
    return sum(1 for pages in seen.values() if len(pages) > 1)


def all_cells(document: Any) -> list[tuple[int, Any]]:
    return [
        (i, box)
        for i, page in enumerate(document.pages)
        for box in boxes(page._page_box)
        if type(box).__name__ == "TableCellBox"
    ]
