"""Cells that go into a spreadsheet the officer (or a colleague) will open.

Any text a spreadsheet would run as a formula — starting with =, +, -, @, a tab or a carriage
return — gets a leading single quote, so a comment typed as "=HYPERLINK(...)" stays a comment.
Kept in a module of its own, free of the reports' heavier imports, so `engage classify` can use
the very same rule as the CSV and XLSX exports.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Text a spreadsheet would run as a formula gets a leading single quote; others unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
