"""Which areas get a profile, what they are called, and which Ortsteile each one covers.

Profiles exist for every inhabited Ortsteil, every Stadtteil and the city. A Stadtteil whose residents all
live in one Ortsteil (Weddewarden, Schiffdorferdamm, Surheide, and Fischereihafen, whose second Ortsteil
Luneplate has no residents) is one area and gets one profile, filed under the Stadtteil.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import pandas as pd

from .errors import InputError

LEVEL_LABELS = {
    "stadt": "Stadt",
    "stadtbezirk": "Stadtbezirk",
    "stadtteil": "Stadtteil",
    "ortsteil": "Ortsteil",
}
_TRANSLITERATION = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"}
)
MAX_SLUG_LENGTH = 60
#: File name (without suffix) of the city overview, beside the profiles' own slugs (`Area.slug`).
OVERVIEW_SLUG = "uebersicht-bremerhaven"


class UnknownAreaError(InputError):
    """A `--district` value matches no area that gets a profile."""


@dataclass(frozen=True)
class Area:
    """One area with a profile.

    `members` are the Ortsteil codes whose numbers are summed for this area; `peer_level` is the level of the
    areas it is compared with in rankings (Ortsteile with Ortsteile; Stadtteile and the city with Stadtteile).
    `also_code` is the Ortsteil code of a one-Ortsteil Stadtteil, so that both codes find the same profile.
    """

    code: str
    name: str
    level: str
    parent_code: str
    parent_name: str
    members: tuple[str, ...]
    also_code: str = ""

    @property
    def slug(self) -> str:
        return f"{self.level}-{slugify(self.name) or self.code}"

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]

    @property
    def peer_level(self) -> str:
        return "ortsteil" if self.level == "ortsteil" else "stadtteil"


def slugify(text: str) -> str:
    """URL- and file-safe ASCII form of a name: `Mitte-Süd` -> `mitte-sued`, never a path or empty dots."""
    ascii_text = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATION)).encode("ascii", "ignore")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.decode().lower()).strip("-")
    return slug[:MAX_SLUG_LENGTH].rstrip("-")


def inhabited_ortsteile(districts: pd.DataFrame, population: pd.DataFrame) -> list[str]:
    """Ortsteil codes with residents in the population table (Luneplate has none)."""
    totals = population.groupby("district")["population"].sum()
    ortsteile = districts.loc[districts["level"] == "ortsteil", "code"]
    return [code for code in ortsteile if totals.get(code, 0) > 0]


def profile_areas(districts: pd.DataFrame, population: pd.DataFrame) -> list[Area]:
    """All areas that get a profile, in register order: city, then Stadtteile, then Ortsteile."""
    names = dict(zip(districts["code"], districts["name"], strict=True))
    parents = dict(zip(districts["code"], districts["parent_code"], strict=True))
    inhabited = inhabited_ortsteile(districts, population)
    city = districts.loc[districts["level"] == "stadt", "code"].iloc[0]
    areas = [Area(city, names[city], "stadt", "", "", tuple(inhabited))]
    merged = set()
    for code in districts.loc[districts["level"] == "stadtteil", "code"]:
        members = tuple(o for o in inhabited if parents[o] == code)
        if not members:
            continue
        also = members[0] if len(members) == 1 else ""
        merged.add(also)
        areas.append(Area(code, names[code], "stadtteil", city, names[city], members, also))
    for code in inhabited:
        if code not in merged:
            parent = parents[code]
            areas.append(Area(code, names[code], "ortsteil", parent, names[parent], (code,)))
    return areas


def uninhabited_ortsteile(districts: pd.DataFrame, population: pd.DataFrame) -> list[str]:
    """Names of Ortsteile without residents: they get no profile, and the build says so."""
    inhabited = set(inhabited_ortsteile(districts, population))
    ortsteile = districts[districts["level"] == "ortsteil"]
    return [
        name for code, name in zip(ortsteile["code"], ortsteile["name"], strict=True) if code not in inhabited
    ]


def resolve_areas(areas: list[Area], queries: list[str]) -> list[Area]:
    """The areas named by `--district` values: an official code, a name (any case) or a file slug.

    A name shared by a Stadtteil and its only Ortsteil (e.g. "Surheide") is one area.
    """
    chosen: list[Area] = []
    for query in queries:
        key = query.strip().casefold()
        matches = [
            a
            for a in areas
            if key in {a.code, a.also_code, a.name.casefold(), a.slug, slugify(a.name)} - {""}
        ]
        if not matches:
            suggestions = sorted(a.name for a in areas if key[:3] and a.name.casefold().startswith(key[:3]))
            hint = f" Meinten Sie: {', '.join(suggestions)}?" if suggestions else ""
            raise UnknownAreaError(
                f"Unknown district {query!r}: expected an official code (e.g. 13, 212) or the name of an "
                f"inhabited Ortsteil, a Stadtteil or the city.{hint}"
            )
        chosen.extend(m for m in matches if m not in chosen)
    return chosen
