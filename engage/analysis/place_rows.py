"""Which rows a by-place table lists, and whose respondents each row counts.

One rule for the Overview's place tables, so that a locality carries the same figure there
as in the report and on the co-production dashboard: a respondent put in a PCN or ward counts
for its locality. The PCN or ward is then listed again under its locality as an "of which"
row, so the detail an officer entered is not lost; those rows are already inside their
locality's figure and never add to a total. A wider place (a council, a town named without a
postcode) counts only the respondents put in it exactly: its localities have rows of their
own, and counting them again would count people twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from engage.project import Project

#: The row for respondents with no recognised place, in every view and the report.
NO_PLACE = "(no place)"


@dataclass(frozen=True)
class PlaceGroup:
    place_id: int | None       # the row's place (None: respondents with no place)
    name: str
    kind: str
    members: tuple[int | None, ...]   # the assigned places whose respondents it counts
    within: int | None = None  # for an "of which" row, the locality it is already counted in


def place_groups(project: Project, heard_from: set[int | None]) -> list[PlaceGroup]:
    """Every locality (even one nobody is from), each followed by its PCNs and wards heard
    from; then other places heard from; then no place, if anyone has none. ``heard_from`` is
    the set of assigned place ids (None included) with a respondent in the table's base."""
    from engage.coproduction.placeadmin import locality_of

    home = locality_of(project)
    places = project.places()
    inside: dict[int, list[dict]] = {}
    for place in places:
        if place["kind"] != "locality" and home.get(place["id"]) is not None:
            inside.setdefault(home[place["id"]], []).append(place)
    groups: list[PlaceGroup] = []
    for place in places:
        if place["kind"] != "locality":
            continue
        subs = inside.get(place["id"], [])
        groups.append(PlaceGroup(place["id"], place["name"], place["kind"],
                                 (place["id"], *(s["id"] for s in subs))))
        groups += [PlaceGroup(s["id"], s["name"], s["kind"], (s["id"],), within=place["id"])
                   for s in subs if s["id"] in heard_from]
    groups += [PlaceGroup(p["id"], p["name"], p["kind"], (p["id"],)) for p in places
               if p["kind"] != "locality" and home.get(p["id"]) is None and p["id"] in heard_from]
    if None in heard_from:
        groups.append(PlaceGroup(None, NO_PLACE, "", (None,)))
    return groups


def members_of(project: Project, place_id: int | None) -> tuple[int | None, ...]:
    """The assigned places the row for ``place_id`` counts (see `place_groups`): a locality
    with its PCNs and wards, anything else exactly itself."""
    for group in place_groups(project, set()):
        if group.place_id == place_id and group.within is None:
            return group.members
    return (place_id,)
