"""The vendor registry: corporate families loaded from ``vendors/*.yaml``, validated at load."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.errors import InputError
from checker.knowledge.cache import cached
from checker.knowledge.dates import parse_partial
from checker.knowledge.resources import bundled_dir

if TYPE_CHECKING:
    from checker.knowledge.yamlsafe import LoadedYaml

DATASETS = {
    "D1": "https://github.com/xpmethod/torn-apart",  # ICE award transactions FY13-18 from USAspending
    "D2": "https://github.com/wrags81/cbp-ice-dashboard",  # CBP and ICE transactions FY21-26 from USAspending
}
"""Named award datasets that registry sources may cite as ``dataset: D1`` or ``dataset: D2``."""


@dataclass(frozen=True)
class Source:
    """Where a claim comes from: a URL, a federal award id or a named dataset."""

    title: str
    url: str | None = None
    award: str | None = None
    dataset: str | None = None
    date: str | None = None
    verified: bool = True

    @property
    def link(self) -> str | None:
        """The source's URL, or the URL of the named dataset it cites."""
        return self.url or DATASETS.get(self.dataset or "")

    def cite(self) -> str:
        """One-line citation for reports."""
        dataset = f"{self.dataset}, {DATASETS[self.dataset]}" if self.dataset in DATASETS else self.dataset
        where = self.url or (f"award {self.award}" if self.award else None) or dataset or ""
        when = f", {self.date}" if self.date else ""
        flag = "" if self.verified else " [unverified]"
        return f"{self.title} ({where}{when}){flag}" if where else f"{self.title}{when}{flag}"


@dataclass(frozen=True)
class Ended:
    """A documented end of a relationship with an agency."""

    date: date
    why: str
    source: Source


@dataclass(frozen=True)
class Evidence:
    """One sourced fact linking an entity to an agency: what, when, how sure."""

    entity_id: str
    what: str
    agency: str
    category: str
    start: date
    end: date | None
    confidence: str
    sources: tuple[Source, ...]
    awards: tuple[str, ...] = ()
    recipient: str | None = None
    via: str | None = None
    amount: str | None = None
    last_action: str | None = None
    ended: Ended | None = None

    def covers(self, day: date) -> bool:
        """True when the recorded period includes ``day`` (an open period runs on)."""
        if day < self.start:
            return False
        if self.ended is not None and day > self.ended.date:
            return False
        return self.end is None or day <= self.end

    def cite(self) -> str:
        """One-line description for reports: what, agency, awards, period."""
        awards = f" [{', '.join(self.awards)}]" if self.awards else ""
        period = f"{self.start.isoformat()}–{self.end.isoformat() if self.end else 'open'}"
        return f"{self.what} ({self.agency}, {period}){awards}"


@dataclass(frozen=True)
class Identifier:
    """A ticker, CUSIP prefix, DUNS, CAGE, EIN, UEI or LEI with its source."""

    type: str
    value: str
    source: Source
    exchange: str | None = None


@dataclass(frozen=True)
class Entity:
    """A company in a family: its names, relation to its parent and its evidence."""

    id: str
    name: str
    family_id: str
    relation: str
    parent: str | None
    aliases: tuple[str, ...]
    weak_aliases: tuple[str, ...]
    former_names: tuple[str, ...]
    products: tuple[str, ...]
    categories: tuple[str, ...]
    agencies: tuple[str, ...]
    identifiers: tuple[Identifier, ...]
    evidence: tuple[Evidence, ...]
    sources: tuple[Source, ...]
    acquired: str | None = None
    divested: str | None = None


@dataclass(frozen=True)
class Decoy:
    """A name known not to be a family, with the reason."""

    name: str
    why: str
    family_id: str


@dataclass
class Family:
    """A corporate family as loaded from one registry file."""

    id: str
    status: str
    last_verified: date
    summary: str
    entities: dict[str, Entity]
    decoys: tuple[Decoy, ...]
    path: str
    sha256: str

    @property
    def root(self) -> Entity:
        """The family's root entity (its id is the family id)."""
        return self.entities[self.id]


@dataclass
class Registry:
    """All families, with lookups by entity id and the content hash reported as provenance."""

    families: dict[str, Family]
    entities: dict[str, Entity] = field(default_factory=dict)
    sha256: str = ""

    def family_of(self, entity_id: str) -> Family:
        """The family an entity belongs to."""
        return self.families[self.entities[entity_id].family_id]

    def ancestors(self, entity_id: str) -> list[str]:
        """Parent, grandparent, … of an entity (nearest first)."""
        out: list[str] = []
        parent = self.entities[entity_id].parent
        while parent is not None and parent not in out:
            out.append(parent)
            parent = self.entities[parent].parent
        return out

    def require_entity(self, doc: LoadedYaml, path: tuple[str | int, ...]) -> str | None:
        """The entity id at ``path`` of a user file (None if absent); an unknown id is an error naming the line."""
        node = doc.data
        for part in path:
            node = node.get(part) if isinstance(node, dict) else node[part]
            if node is None:
                return None
        if node not in self.entities:
            from checker.knowledge.validation import field_name

            raise InputError(doc.path, f"line {doc.line_of(path)}: field {field_name(path)}: "
                                       f"unknown registry entity or family {node!r}")
        return node

    @property
    def version(self) -> str:
        """Registry version: the newest last_verified date and a short content hash."""
        newest = max((f.last_verified for f in self.families.values()), default=date.min)
        return f"{newest.isoformat()}+{self.sha256[:12]}"


def _source(raw: dict[str, Any]) -> Source:
    return Source(title=raw["title"], url=raw.get("url"), award=raw.get("award"), dataset=raw.get("dataset"),
                  date=raw.get("date"), verified=raw.get("verified", True))


def _evidence(entity_id: str, raw: dict[str, Any]) -> Evidence:
    period = raw["period"]
    ended = raw.get("ended")
    return Evidence(
        entity_id=entity_id, what=raw["what"], agency=raw["agency"], category=raw["category"],
        start=parse_partial(period["start"]),
        end=parse_partial(period["end"], end=True) if period.get("end") else None,
        last_action=period.get("last_action"), confidence=raw["confidence"],
        sources=tuple(_source(s) for s in raw["sources"]), awards=tuple(raw.get("awards", ())),
        recipient=raw.get("recipient"), via=raw.get("via"), amount=raw.get("amount"),
        ended=Ended(parse_partial(ended["date"], end=True), ended["why"], _source(ended["source"])) if ended else None,
    )


def _entity(family_id: str, raw: dict[str, Any]) -> Entity:
    return Entity(
        id=raw["id"], name=raw["name"], family_id=family_id, relation=raw["relation"], parent=raw.get("parent"),
        aliases=tuple(raw.get("aliases", ())), weak_aliases=tuple(raw.get("weak_aliases", ())),
        former_names=tuple(raw.get("former_names", ())), products=tuple(raw.get("products", ())),
        categories=tuple(raw.get("categories", ())), agencies=tuple(raw.get("agencies", ())),
        identifiers=tuple(Identifier(i["type"], str(i["value"]), _source(i["source"]), i.get("exchange"))
                          for i in raw.get("identifiers", ())),
        evidence=tuple(_evidence(raw["id"], e) for e in raw.get("evidence", ())),
        sources=tuple(_source(s) for s in raw["sources"]),
        acquired=raw.get("acquired"), divested=raw.get("divested"),
    )


def _check_structure(doc: LoadedYaml) -> None:
    data = doc.data
    ids: dict[str, int] = {}
    for i, ent in enumerate(data["entities"]):
        if ent["id"] in ids:
            raise InputError(doc.path, f"line {doc.line_of(('entities', i, 'id'))}: field entities[{i}].id: "
                                       f"duplicate entity id {ent['id']!r}")
        ids[ent["id"]] = i
    roots = [e["id"] for e in data["entities"] if e["relation"] == "parent"]
    if roots != [data["family"]]:
        raise InputError(doc.path, f"line {doc.line_of(('family',))}: field family: the family id must be the id "
                                   f"of its one root entity (relation: parent); roots found: {roots}")
    for i, ent in enumerate(data["entities"]):
        parent = ent.get("parent")
        if parent is not None and parent not in ids:
            raise InputError(doc.path, f"line {doc.line_of(('entities', i, 'parent'))}: field entities[{i}].parent: "
                                       f"unknown entity id {parent!r} (parents must be in the same file)")


def load_family(path: Path | str) -> Family:
    """Load, validate and check one registry file."""
    from checker.knowledge.validation import validate
    from checker.knowledge.yamlsafe import load_yaml_file

    doc = load_yaml_file(path)
    validate(doc, "registry")
    _check_structure(doc)
    data = doc.data
    fam_id = data["family"]
    entities = {e["id"]: _entity(fam_id, e) for e in data["entities"]}
    decoys = tuple(Decoy(d["name"], d["why"], fam_id) for d in data.get("decoys", ()))
    return Family(id=fam_id, status=data["status"], last_verified=parse_partial(data["last_verified"]),
                  summary=data["summary"], entities=entities, decoys=decoys, path=str(path), sha256=doc.sha256)


def load_registry(directory: Path | str | None = None) -> Registry:
    """Load every ``*.yaml`` family file in ``directory`` (default: the bundled registry).

    The validated result is kept in the on-disk cache (``checker.knowledge.cache``) under a hash of the files.
    """
    files = registry_files(directory)
    return cached("registry", files, lambda: build_registry(files), expected=Registry)


def registry_files(directory: Path | str | None = None) -> list[Path]:
    """The family files of the registry in ``directory`` (default: the bundled registry), in order."""
    folder = Path(directory) if directory is not None else bundled_dir("vendors")
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise InputError(str(folder), "no registry files (*.yaml) found")
    return files


def build_registry(files: list[Path]) -> Registry:
    """Load, validate and link these family files (no cache; ``load_registry`` is the cached way)."""
    families: dict[str, Family] = {}
    entities: dict[str, Entity] = {}
    combined = hashlib.sha256()
    for file in files:
        fam = load_family(file)
        if fam.id in families:
            raise InputError(str(file), f"family {fam.id!r} is already defined in {families[fam.id].path}")
        for ent in fam.entities.values():
            if ent.id in entities:
                raise InputError(str(file), f"entity id {ent.id!r} is already defined in "
                                            f"{families[entities[ent.id].family_id].path}")
            entities[ent.id] = ent
        families[fam.id] = fam
        combined.update(file.name.encode() + b"\0" + fam.sha256.encode())
    return Registry(families=families, entities=entities, sha256=combined.hexdigest())
