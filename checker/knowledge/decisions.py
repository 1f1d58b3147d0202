"""Human match decisions: "vendor string X is / is not registry entity Y", with who, when and why."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from checker.knowledge.registry import Registry


@dataclass(frozen=True)
class Decision:
    """One recorded judgement."""

    vendor: str
    entity: str | None
    decision: str
    who: str
    when: str
    why: str

    def describe(self) -> str:
        """How reports cite the decision."""
        target = self.entity or "any registry entity"
        verb = "is" if self.decision == "same" else "is not"
        return f"decision by {self.who} on {self.when}: {self.vendor!r} {verb} {target} ({self.why})"


def load_decisions(path: Path | str, registry: Registry) -> list[Decision]:
    """Decisions from a YAML file, in order; unknown entity ids are refused."""
    from checker.knowledge.validation import validate
    from checker.knowledge.yamlsafe import load_yaml_file

    doc = load_yaml_file(path)
    validate(doc, "decisions")
    out: list[Decision] = []
    for i, raw in enumerate(doc.data["decisions"]):
        entity = registry.require_entity(doc, ("decisions", i, "entity"))
        out.append(Decision(raw["vendor"], entity, raw["decision"], raw["who"], raw["when"],
                            " ".join(raw["why"].split())))
    return out
