"""Human match decisions: "vendor string X is / is not registry entity Y", with who, when and why."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from checker.errors import InputError
from checker.knowledge.registry import Registry


@dataclass(frozen=True)
class Decision:
    """One recorded judgement, with the file and line it was read from (for messages; not compared)."""

    vendor: str
    entity: str | None
    decision: str
    who: str
    when: str
    why: str
    source: str = field(default="", compare=False)
    line: int = field(default=0, compare=False)

    def describe(self) -> str:
        """How reports cite the decision."""
        target = self.entity or "any registry entity"
        verb = "is" if self.decision == "same" else "is not"
        return f"decision by {self.who} on {self.when}: {self.vendor!r} {verb} {target} ({self.why})"

    def claim(self) -> str:
        """What the decision says, briefly: ``'ACME' is palantir``."""
        verb = "is" if self.decision == "same" else "is not"
        return f"{self.vendor!r} {verb} {self.entity or 'any registry entity'}"


class Decisions(list[Decision]):
    """The decisions read from one file, in order, with the SHA-256 of the bytes read (its provenance)."""

    def __init__(self, items: Iterable[Decision] = (), sha256: str = "") -> None:
        super().__init__(items)
        self.sha256 = sha256


def load_decisions(path: Path | str, registry: Registry) -> Decisions:
    """Decisions from a YAML file (read once, bounded), in order; unknown entity ids are refused."""
    from checker.knowledge.validation import validate
    from checker.knowledge.yamlsafe import load_yaml_file

    doc = load_yaml_file(path)
    validate(doc, "decisions")
    out = Decisions(sha256=doc.sha256)
    for i, raw in enumerate(doc.data["decisions"]):
        entity = registry.require_entity(doc, ("decisions", i, "entity"))
        out.append(Decision(raw["vendor"], entity, raw["decision"], raw["who"], raw["when"],
                            " ".join(raw["why"].split()), source=doc.path, line=doc.line_of(("decisions", i))))
    return out


def decision_table(decisions: Iterable[Decision], key: Callable[[str], str],
                   registry: Registry) -> dict[str, list[Decision]]:
    """Decisions by ``key(vendor)`` (the normalised name), in order.

    Two decisions for one name that disagree (``same`` as two entities, or ``same`` as an entity and ``different``
    from it, its family or any entity) are refused with one line naming both; decisions that agree are kept.
    """
    table: dict[str, list[Decision]] = {}
    for new in decisions:
        earlier = table.setdefault(key(new.vendor), [])
        for old in earlier:
            if _disagree(old, new, registry):
                raise _conflict(old, new)
        earlier.append(new)
    return table


def _disagree(a: Decision, b: Decision, registry: Registry) -> bool:
    if a.decision == b.decision:
        return a.decision == "same" and a.entity != b.entity
    same, different = (a, b) if a.decision == "same" else (b, a)
    if different.entity is None:
        return True
    family = registry.families.get(different.entity)
    excluded = set(family.entities) if family is not None else {different.entity}
    return same.entity in excluded


def _conflict(old: Decision, new: Decision) -> InputError:
    """The error for two decisions that disagree, naming both lines."""
    if old.source == new.source:
        return InputError(new.source, f"lines {old.line} and {new.line}: decisions for one vendor name disagree: "
                                      f"line {old.line} says {old.claim()}, line {new.line} says {new.claim()}; "
                                      "keep one of them")
    return InputError(new.source, f"line {new.line}: the decision {new.claim()} disagrees with {old.source} "
                                  f"line {old.line}, which says {old.claim()}; keep one of them")
