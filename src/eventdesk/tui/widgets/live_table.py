"""A DataTable kept in step with a list of keyed rows by diffs: cells that changed are updated
in place, rows are re-laid only when the set or order of keys changed. Live screens call
``sync`` every tick without rebuilding the table (and without losing the cursor)."""

from __future__ import annotations

import operator
from collections.abc import Sequence

from rich.console import RenderableType
from rich.text import Text
from textual.widgets import DataTable

Row = tuple[str, Sequence[RenderableType]]


def _fingerprint(cell: RenderableType) -> object:
    # rich's Text.__eq__ ignores the base style; a colour change must count as a change.
    if isinstance(cell, Text):
        return cell.plain, str(cell.style), tuple(cell.spans)
    return cell


class LiveTable(DataTable):
    _deferring = _deferred = False  # inside a cell diff: refresh once at its end

    def __init__(self, columns: Sequence[tuple[str, str, int | None]], **kwargs) -> None:
        """``columns``: (key, label, width or None for automatic)."""
        kwargs.setdefault("cursor_type", "row")
        kwargs.setdefault("zebra_stripes", False)
        super().__init__(**kwargs)
        self._column_spec = list(columns)
        self._all_columns = [key for key, _, _ in columns]  # the order of the cells ``sync`` gets
        self._shown = list(range(len(columns)))  # which of them the table shows (see ``reshape``)
        self._rows: list[Row] = []  # as last given to ``sync``, all cells
        self._keys: list[str] = []
        self._cells: dict[str, tuple[object, ...]] = {}
        self._given: dict[str, Sequence[RenderableType]] = {}  # the cell objects last shown per key
        self.cell_updates = 0  # for the benchmark and tests: how much a sync touched
        self.relays = 0  # how often the rows were laid out anew (key set or order changed)

    def on_mount(self) -> None:
        for key, label, width in self._column_spec:
            self.add_column(label, key=key, width=width)

    @property
    def keys(self) -> list[str]:
        return list(self._keys)

    def cell_text(self, row_key: str, column_key: str) -> str:
        value = self.get_cell(row_key, column_key)
        return value.plain if isinstance(value, Text) else str(value)

    def row_text(self, row_key: str) -> str:
        return " | ".join(self.cell_text(row_key, key) for key, _, _ in self._column_spec)

    def reshape(self, columns: Sequence[tuple[str, str, int | None]]) -> bool:
        """Show these columns (a subset of those given at creation, any widths) and lay the rows
        out again; a screen calls it when its width changes. False when nothing changed."""
        spec = list(columns)
        if spec == self._column_spec:
            return False
        self._column_spec = spec
        self._shown = [self._all_columns.index(key) for key, _, _ in spec]
        if self.is_mounted:
            selected = self.selected_key
            super().clear(columns=True)
            self._keys, self._cells, self._given = [], {}, {}
            for key, label, width in spec:
                self.add_column(label, key=key, width=width)
            self.sync(self._rows)
            if selected is not None:
                self.select_key(selected)
        return True

    def sync(self, rows: Sequence[Row]) -> None:
        """Make the table show ``rows`` (cells of every column given at creation), touching only
        what changed."""
        self._rows = list(rows)
        shown = self._shown
        if len(shown) != len(self._all_columns):
            rows = [(key, tuple(cells[i] for i in shown)) for key, cells in rows]
        columns = [key for key, _, _ in self._column_spec]
        with self.app.batch_update():
            if [key for key, _ in rows] != self._keys:
                self._relay(rows)
                return
            # One repaint for the whole diff, not one per changed cell (a tick changes ~100).
            self._deferring = True
            try:
                given = self._given
                for key, cells in rows:
                    # A caller that keeps its cells (the room board) gives the same objects back:
                    # those are passed over without a fingerprint.
                    last = given.get(key)
                    if last is not None and len(last) == len(cells) and all(map(operator.is_, cells, last)):
                        continue
                    given[key] = cells
                    fingerprints = tuple(_fingerprint(c) for c in cells)
                    old = self._cells[key]
                    if fingerprints == old:
                        continue
                    for column, cell, new, before in zip(columns, cells, fingerprints, old):
                        if new != before:
                            self.update_cell(key, column, cell, update_width=self._auto(column))
                            self.cell_updates += 1
                    self._cells[key] = fingerprints
            finally:
                self._deferring = False
                if self._deferred:
                    self._deferred = False
                    self.refresh()

    def refresh(self, *regions, **kwargs):
        if self._deferring and not regions and not kwargs:
            self._deferred = True
            return self
        return super().refresh(*regions, **kwargs)

    def _auto(self, column: str) -> bool:
        return any(key == column and width is None for key, _, width in self._column_spec)

    def _relay(self, rows: Sequence[Row]) -> None:
        selected = self.selected_key
        self.clear()
        for key, cells in rows:
            self.add_row(*cells, key=key)
            self._cells[key] = tuple(_fingerprint(c) for c in cells)
        self._keys = [key for key, _ in rows]
        self.cell_updates += len(rows)
        self.relays += 1
        if selected in self._cells:
            self.move_cursor(row=self._keys.index(selected), animate=False, scroll=False)

    def clear(self, columns: bool = False):
        self._keys, self._cells, self._given = [], {}, {}
        return super().clear(columns)

    @property
    def selected_key(self) -> str | None:
        if not self._keys or not (0 <= self.cursor_row < len(self._keys)):
            return None
        return self._keys[self.cursor_row]

    def select_key(self, key: str) -> bool:
        if key not in self._cells:
            return False
        self.move_cursor(row=self._keys.index(key), animate=False)
        return True
