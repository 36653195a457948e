"""Disclosure control for the Quartiersprofile indicator table: the attacker's audit and secondary suppression.

- `attack.audit`: the attacker's interval for every hidden count (LP/MILP by HiGHS), `visible_complements`,
  `detect_links`, `catalogue_links`;
- `protect.protect`: secondary suppression that passes the audit;
- `structure`, `problem`, `solver`: the shared linear model (`Structure`, the skeleton of cells and variables,
  what is shown, and the bounds by HiGHS).
"""

from .attack import (
    Disclosure,
    audit,
    catalogue_links,
    detect_links,
    disclosures,
    format_disclosures,
    link_groups,
    links_of,
    visible_complements,
)
from .problem import InconsistentTableError
from .protect import PROTECTION_VERSION, ProtectionError, protect
from .structure import Structure

__all__ = [
    "PROTECTION_VERSION",
    "Disclosure",
    "InconsistentTableError",
    "ProtectionError",
    "Structure",
    "audit",
    "catalogue_links",
    "detect_links",
    "disclosures",
    "format_disclosures",
    "link_groups",
    "links_of",
    "protect",
    "visible_complements",
]
