"""How figures are written in reports: one place, so every renderer and the tests agree."""

from __future__ import annotations

import datetime as dt


def count(n: int | None) -> str:
    """A whole number with thousands separators: 29,000."""
    return "–" if n is None else f"{int(n):,}"


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """'1 comment', '2,345 comments'."""
    return f"{count(n)} {singular if n == 1 else plural or singular + 's'}"


def pct(share: float | None) -> str:
    """A share (0..1) as a percentage with one decimal: 12.5%."""
    return "–" if share is None else f"{100 * share:.1f}%"


def ratio(value: float | None, places: int = 2) -> str:
    """Kappa, precision and the like: 0.72; a dash when undefined."""
    return "–" if value is None else f"{value:.{places}f}"


def rate(value: float | None) -> str:
    """Responses per 1,000 population: 4.2 (0.04 when below one, so it never reads 0.0)."""
    if value is None:
        return "–"
    return f"{value:,.1f}" if value >= 1 or value == 0 else f"{value:.2f}"


def long_date(iso: str | None) -> str:
    """'2024-01-03' → '3 January 2024'; the text as given if it is not an ISO date."""
    if not iso:
        return ""
    try:
        day = dt.date.fromisoformat(iso[:10])
    except ValueError:
        return iso
    return f"{day.day} {day:%B %Y}"


def short_date(iso: str | None) -> str:
    """'2024-01-03' → '3 Jan 2024', for table cells."""
    if not iso:
        return ""
    try:
        day = dt.date.fromisoformat(iso[:10])
    except ValueError:
        return iso
    return f"{day.day} {day:%b %Y}"


def date_range(first: str | None, last: str | None, short: bool = False) -> str:
    write = short_date if short else long_date
    if not first:
        return ""
    if not last or first[:10] == last[:10]:
        return write(first)
    return f"{write(first)} to {write(last)}"


def model_version(value: str | None) -> str:
    """A model version as people read it: a build timestamp becomes 'built 23 Nov 2026'."""
    if not value:
        return "–"
    try:
        built = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    return f"built {built.day} {built:%b %Y}"


def masked(kinds: dict[str, int]) -> str:
    """'68 e-mail addresses, 41 NHS numbers' from {"email": 68, "nhs_number": 41}."""
    from engage.importing.pii import MASK_KINDS

    parts = []
    for kind, n in sorted(kinds.items()):
        label = MASK_KINDS.get(kind, kind.replace("_", " "))
        label = label if label[:3].isupper() else label.lower()
        if n != 1:
            label += "es" if label.endswith(("ss", "sh", "ch", "x")) else "s"
        parts.append(f"{count(n)} {label}")
    return ", ".join(parts)


def population(n: int | None, estimate: bool) -> str:
    """A population with a marker when it is an estimate (the key is printed under tables)."""
    if not n:
        return "–"
    return f"{n:,}*" if estimate else f"{n:,}"
