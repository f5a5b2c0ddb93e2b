"""The default place hierarchy (Dorset) and matching free-text place names to it.

Places are user data: the officer can edit names, populations and aliases. Population figures
shipped here are rough estimates and are marked as such, so a board is never shown an estimate
as if it were a census count.
"""

from __future__ import annotations

import re

ICS = "Dorset ICS"
LOCAL_AUTHORITIES = ("Dorset Council", "Bournemouth, Christchurch and Poole")
PARTNERSHIPS = ("West Dorset health and care partnership", "East Dorset health and care partnership")

# locality -> (local authority, partnership, estimated population, aliases)
DORSET_LOCALITIES: dict[str, tuple[str, str, int, tuple[str, ...]]] = {
    "Weymouth & Portland": (LOCAL_AUTHORITIES[0], PARTNERSHIPS[0], 66000, ("Weymouth", "Portland", "W&P")),
    "Dorset West": (LOCAL_AUTHORITIES[0], PARTNERSHIPS[0], 46000, ("West Dorset", "Bridport")),
    "Mid Dorset": (LOCAL_AUTHORITIES[0], PARTNERSHIPS[0], 58000, ("Dorchester",)),
    "North Dorset": (LOCAL_AUTHORITIES[0], PARTNERSHIPS[0], 70000, ("Blandford", "Shaftesbury", "Gillingham")),
    "Purbeck": (LOCAL_AUTHORITIES[0], PARTNERSHIPS[0], 46000, ("Swanage", "Wareham")),
    "East Dorset": (LOCAL_AUTHORITIES[0], PARTNERSHIPS[1], 92000, ("Wimborne", "Ferndown", "Verwood")),
    "Christchurch": (LOCAL_AUTHORITIES[1], PARTNERSHIPS[1], 48000, ()),
    "Bournemouth North": (LOCAL_AUTHORITIES[1], PARTNERSHIPS[1], 62000, ("North Bournemouth",)),
    "Bournemouth East": (LOCAL_AUTHORITIES[1], PARTNERSHIPS[1], 58000, ("East Bournemouth", "Boscombe")),
    "Central Bournemouth": (LOCAL_AUTHORITIES[1], PARTNERSHIPS[1], 75000, ("Bournemouth Central",)),
    "Poole North": (LOCAL_AUTHORITIES[1], PARTNERSHIPS[1], 52000, ("North Poole",)),
    "Poole Central": (LOCAL_AUTHORITIES[1], PARTNERSHIPS[1], 50000, ("Central Poole",)),
    "Poole Bay": (LOCAL_AUTHORITIES[1], PARTNERSHIPS[1], 46000, ("Poole Bay and Canford Cliffs",)),
}


#: Towns that span several localities: named without a postcode, the locality is unknown, and
#: guessing one (as "Poole" → Poole Central once did) would move people between localities.
AMBIGUOUS_TOWNS: dict[str, tuple[str, ...]] = {
    "Poole": ("Poole North", "Poole Central", "Poole Bay"),
    "Bournemouth": ("Bournemouth North", "Bournemouth East", "Central Bournemouth"),
}
#: The wider place a town's "(locality unknown)" place sits in.
AMBIGUOUS_TOWN_PARENT = LOCAL_AUTHORITIES[1]
AMBIGUOUS_TOWN_PARTNERSHIP = PARTNERSHIPS[1]
UNKNOWN_LOCALITY_KIND = "town"


def unknown_locality_name(town: str) -> str:
    return f"{town} (locality unknown)"


def resolve_place(place_raw: str, district: str | None, aliases: dict[str, int],
                  districts: dict[str, int], names: dict[str, int] | None = None,
                  ) -> int | str | None:
    """Where a respondent lives, from the place they named and their postcode district.

    In order: a place's own name ("Poole North", spelt any way `place_key` allows) is taken
    as given; then a postcode district outranks any other name ("Poole" with BH17 is Poole
    North); then an ambiguous town without a district gives the *name* of its "(locality
    unknown)" place (the caller finds or makes it) rather than a guess; then the aliases.
    `names` maps `place_key` of each place's name to its id.
    """
    key = place_key(place_raw) if place_raw else ""
    if key and names and key in names:
        return names[key]
    if district:
        found = districts.get(district.upper())
        if found is not None:
            return found
    for town in AMBIGUOUS_TOWNS:
        if key == place_key(town):
            return unknown_locality_name(town)
    return aliases.get(key) if key else None


def place_key(name: str) -> str:
    """A spelling-insensitive key, so 'Weymouth and Portland' finds 'Weymouth & Portland'."""
    text = name.casefold().replace("&", " and ")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


def default_place_rows() -> list[dict]:
    """Rows for the places table in parent-before-child order, ids assigned here."""
    rows: list[dict] = [dict(id=1, name=ICS, kind="ics", parent_id=None, partnership_id=None,
                             population=None, population_is_estimate=0)]
    ids: dict[str, int] = {ICS: 1}
    for name in LOCAL_AUTHORITIES:
        ids[name] = len(rows) + 1
        rows.append(dict(id=ids[name], name=name, kind="local_authority", parent_id=1,
                         partnership_id=None, population=None, population_is_estimate=0))
    for name in PARTNERSHIPS:
        ids[name] = len(rows) + 1
        rows.append(dict(id=ids[name], name=name, kind="partnership", parent_id=1,
                         partnership_id=None, population=None, population_is_estimate=0))
    for name, (authority, partnership, population, _aliases) in DORSET_LOCALITIES.items():
        ids[name] = len(rows) + 1
        rows.append(dict(id=ids[name], name=name, kind="locality", parent_id=ids[authority],
                         partnership_id=ids[partnership], population=population,
                         population_is_estimate=1))
    return rows


def default_alias_rows(place_rows: list[dict]) -> list[dict]:
    ids = {row["name"]: row["id"] for row in place_rows}
    aliases: dict[str, int] = {}
    for row in place_rows:
        aliases.setdefault(place_key(row["name"]), row["id"])
    for name, (_a, _p, _pop, extra) in DORSET_LOCALITIES.items():
        for alias in extra:
            aliases.setdefault(place_key(alias), ids[name])
    return [dict(alias=key, place_id=place_id) for key, place_id in aliases.items()]
