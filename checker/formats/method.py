"""How to read a report: the method text the Excel and HTML reports share, with the award datasets defined."""

from __future__ import annotations

from checker.formats.common import DISCLAIMER
from checker.knowledge.registry import load_datasets
from checker.match.score import MATCH_THRESHOLD, PROFILE, REVIEW_THRESHOLD

METHOD = [
    ("What this is", "A screen of each row against sanctuary-contracting rule sets and a registry of companies "
                     "that provide U.S. immigration enforcement with data broker, extreme vetting or (where a rule set "
                     "covers it) detention services. "
                     + DISCLAIMER),
    ("Verdict", "The most severe outcome over the rule sets: prohibited > potential_violation > possible_match > "
                "waived > grandfathered > not_covered > clear."),
    ("Bands", f"Names scoring {MATCH_THRESHOLD * 100:.0f} or more are matches; {REVIEW_THRESHOLD * 100:.0f} to "
              f"{MATCH_THRESHOLD * 100:.0f} are possible matches a person must confirm (sheet 'Review'). "
              f"Matcher profile {PROFILE}."),
    ("How to read a row", "Entity is the registry company the vendor name matched and Family its corporate group; "
                          "Reason explains the most severe outcome; Citations give the clauses; Evidence lists the "
                          "federal awards or published sources relied on."),
]
METHOD += [(f"Dataset {d.id}", d.definition()) for d in load_datasets().values()]
"""Every report's method section also defines the award datasets evidence cites (D1, D2), from vendors/datasets.yaml."""
