"""The snapshot tests compare SVGs drawn by one Textual: pyproject.toml allows a range of Textual
versions (where tests/tui/test_textual_compat.py passes), but another version may draw the same
screen a little differently (7.0.0 did), which is no change of eventdesk's."""

from __future__ import annotations

import pytest
import textual

# The Textual that drew tests/tui/__snapshots__ (the newest the range allows: what CI installs).
SNAPSHOTS_DRAWN_WITH = "8.2.8"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if textual.__version__ == SNAPSHOTS_DRAWN_WITH:
        return
    skip = pytest.mark.skip(
        reason=f"snapshots drawn with Textual {SNAPSHOTS_DRAWN_WITH}; this is Textual {textual.__version__}"
    )
    for item in items:
        if "snap_compare" in getattr(item, "fixturenames", ()):
            item.add_marker(skip)
