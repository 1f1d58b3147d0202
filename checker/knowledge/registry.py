"""The vendor registry: corporate families loaded from ``vendors/*.yaml``, validated at load."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import quote

from checker.errors import InputError
from checker.knowledge.cache import cached
from checker.knowledge.dates import parse_partial
from checker.knowledge.resources import bundled_dir

if TYPE_CHECKING:
    from checker.knowledge.yamlsafe import LoadedYaml

DATASETS_FILE = "datasets.yaml"
"""The file of the registry folder that defines the award datasets sources cite (not a family file)."""

AWARD_PAGE = "https://www.usaspending.gov/award/"
"""USAspending's page for one award, addressed by its award key (``generated_unique_award_id``)."""


class Dataset(NamedTuple):
    """A federal award dataset that registry sources cite as ``dataset: <id>`` (vendors/datasets.yaml)."""

    id: str
    title: str
    url: str
    agencies: tuple[str, ...]
    covers: str
    current_to: str
    layout: str
    caveat: str

    def definition(self) -> str:
        """One paragraph for a report's method section."""
        return (f"{self.id}: {self.title} ({self.url}). {self.covers} Current to {self.current_to}. "
                f"Layout: {self.layout}. Caveat: {self.caveat}")


@cache
def load_datasets(directory: Path | str | None = None) -> dict[str, Dataset]:
    """The award datasets defined in ``datasets.yaml`` of a registry folder (default: the bundled registry); from
    the compiled cache when the file is unchanged (every citation of a source asks: a start must not parse and
    validate YAML for it)."""
    from checker.knowledge.cache import cached

    folder = Path(directory) if directory is not None else bundled_dir("vendors")
    path = folder / DATASETS_FILE
    return cached("datasets", [path], lambda: _read_datasets(path), expected=dict)


def _read_datasets(path: Path) -> dict[str, Dataset]:
    """Read and check ``datasets.yaml``."""
    from checker.knowledge.validation import validate
    from checker.knowledge.yamlsafe import load_yaml_file

    doc = load_yaml_file(path)
    validate(doc, "datasets")
    out: dict[str, Dataset] = {}
    for i, d in enumerate(doc.data["datasets"]):
        if d["id"] in out:
            raise InputError(doc.path, f"line {doc.line_of(('datasets', i, 'id'))}: field datasets[{i}].id: "
                                       f"duplicate dataset id {d['id']!r}")
        out[d["id"]] = Dataset(d["id"], d["title"], d["url"], tuple(d["agencies"]), " ".join(d["covers"].split()),
                               d["current_to"], d["layout"], " ".join(d["caveat"].split()))
    return out


_DATASET_LABEL = re.compile(r"\b[A-Z]\d{1,2}\b")


def datasets_named(texts: Iterable[str]) -> list[Dataset]:
    """The bundled datasets a report's lines name (``D1``, ``D2``), in their defined order: what its method
    section or source notes must define for a reader."""
    defined = load_datasets()
    named = {label for text in texts for label in _DATASET_LABEL.findall(text)}
    return [d for key, d in defined.items() if key in named]


def dataset_url(dataset_id: str | None) -> str | None:
    """The address of a dataset of the bundled registry (None when no such dataset is defined)."""
    found = load_datasets().get(dataset_id or "")
    return found.url if found else None


AGENCY_CODES = {"70C": "7012", "HSCE": "7012", "70B": "7014", "HSBP": "7014", "70R": "7001", "HSHQ": "7001",
                "47Q": "4732"}
"""Awarding agency codes by PIID prefix: ICE (7012), CBP (7014), DHS headquarters (7001) and GSA's Federal
Acquisition Service (4732, the vehicles of 47Q… PIIDs), as in D1 and D2."""


def award_key(piid: str) -> str | None:
    """The USAspending award key of an ICE, CBP or DHS award that stands alone, worked out from its PIID (hyphens
    dropped): the ninth character gives the kind. A definitive contract (C) or purchase order (P) has no parent:
    ``CONT_AWD_<PIID>_<agency>_-NONE-_-NONE-``, the form every such award has in D2; an IDIQ (D) or blanket
    purchase agreement (A) is a vehicle: ``CONT_IDV_<PIID>_<agency>``. An order under a vehicle needs the
    vehicle's id, which its PIID does not give: None."""
    piid = piid.replace("-", "")
    agency = next((code for prefix, code in AGENCY_CODES.items() if piid.startswith(prefix)), None)
    if agency is None or len(piid) < 9:
        return None
    if piid[8] in "CP":
        return f"CONT_AWD_{piid}_{agency}_-NONE-_-NONE-"
    if piid[8] in "DA":
        return f"CONT_IDV_{piid}_{agency}"
    return None


def award_url(piid: str, key: str | None = None) -> str | None:
    """The USAspending page of a federal award: from its award key (the registry records the keys found in D1
    and D2 as ``award_keys``; ``Registry.award_url`` looks them up), else from the key its PIID implies
    (``award_key``); None when neither is known."""
    key = key or award_key(piid)
    return AWARD_PAGE + quote(key, safe="_-") if key else None


class Source(NamedTuple):
    """Where a claim comes from: a URL, a federal award id or a named dataset."""

    title: str
    url: str | None = None
    award: str | None = None
    dataset: str | None = None
    date: str | None = None
    verified: bool = True
    award_page: str | None = None
    """The USAspending page of ``award`` (from the award key its evidence records, else from the PIID)."""

    @property
    def link(self) -> str | None:
        """The source's URL, or the award's USAspending page, or the URL of the named dataset it cites."""
        return self.url or self.award_page or dataset_url(self.dataset)

    def cite(self) -> str:
        """One-line citation for reports; an award cited without a URL of its own is followed by its
        USAspending page."""
        known = dataset_url(self.dataset)
        dataset = f"{self.dataset}, {known}" if known else self.dataset
        where = self.url or (f"award {self.award}" if self.award else None) or dataset or ""
        when = f", {self.date}" if self.date else ""
        flag = "" if self.verified else " [unverified]"
        page = f": {self.award_page}" if self.award_page and not self.url else ""
        return f"{self.title} ({where}{when}){flag}{page}" if where else f"{self.title}{when}{flag}"


class Ended(NamedTuple):
    """A documented end of a relationship with an agency."""

    date: date
    why: str
    source: Source


class Evidence(NamedTuple):
    """One sourced fact linking an entity to an agency: what, when, how sure."""

    entity_id: str
    what: str
    agency: str
    category: str
    category_why: str
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
    award_keys: tuple[tuple[str, str], ...] = ()

    def award_urls(self) -> tuple[tuple[str, str | None], ...]:
        """Each award id with its USAspending page (``award_url``; None when unknown)."""
        keys = dict(self.award_keys)
        return tuple((piid, award_url(piid, keys.get(piid))) for piid in self.awards)

    def covers(self, day: date) -> bool:
        """True when the recorded period includes ``day`` (an open period runs on)."""
        if day < self.start:
            return False
        if self.ended is not None and day > self.ended.date:
            return False
        return self.end is None or day <= self.end

    def cite(self) -> str:
        """One-line description for reports: what, agency, period, awards, and why the item is in its category
        (the ordinance definition it meets, or that it meets none)."""
        awards = f" [{', '.join(self.awards)}]" if self.awards else ""
        period = f"{self.start.isoformat()}–{self.end.isoformat() if self.end else 'open'}"
        why = f" — {self.category_why}" if self.category_why else ""
        return f"{self.what} ({self.agency}, {period}){awards}{why}"


class Identifier(NamedTuple):
    """A ticker, CUSIP prefix, DUNS, CAGE, EIN, UEI or LEI with its source."""

    type: str
    value: str
    source: Source
    exchange: str | None = None


class Entity(NamedTuple):
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
    acquired_source: Source | None = None
    divested_source: Source | None = None


class Decoy(NamedTuple):
    """A name known not to be a family, with the reason."""

    name: str
    why: str
    family_id: str
    source: Source | None = None


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

    def award_url(self, piid: str) -> str | None:
        """The USAspending page of an award cited anywhere in the registry: from the award key the registry
        records for it, else from its PIID (``award_url``); None when neither gives it."""
        key = None
        for ent in self.entities.values():
            for ev in ent.evidence:
                key = key or dict(ev.award_keys).get(piid)
        return award_url(piid, key)

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


def _vehicle_key(piid: str, keys: dict[str, str]) -> str | None:
    """The award key of a vehicle (IDIQ, BPA, schedule) whose orders' keys are known: an order's key ends with
    its vehicle's PIID and agency (``CONT_AWD_<order>_<agency>_<vehicle>_<agency>``)."""
    for key in keys.values():
        parts = key.split("_")
        if len(parts) == 6 and parts[4] == piid and parts[5].isdigit():
            return f"CONT_IDV_{piid}_{parts[5]}"
    return None


def _source(raw: dict[str, Any], keys: dict[str, str] | None = None) -> Source:
    award = raw.get("award")
    keys = keys or {}
    page = award_url(award, keys.get(award) or _vehicle_key(award, keys)) if award else None
    return Source(title=raw["title"], url=raw.get("url"), award=award, dataset=raw.get("dataset"),
                  date=raw.get("date"), verified=raw.get("verified", True), award_page=page)


def _evidence(entity_id: str, raw: dict[str, Any]) -> Evidence:
    period = raw["period"]
    ended = raw.get("ended")
    keys = raw.get("award_keys", {})
    return Evidence(
        entity_id=entity_id, what=raw["what"], agency=raw["agency"], category=raw["category"],
        category_why=" ".join(raw.get("category_why", "").split()),
        start=parse_partial(period["start"]),
        end=parse_partial(period["end"], end=True) if period.get("end") else None,
        last_action=period.get("last_action"), confidence=raw["confidence"],
        sources=tuple(_source(s, keys) for s in raw["sources"]), awards=tuple(raw.get("awards", ())),
        recipient=raw.get("recipient"), via=raw.get("via"), amount=raw.get("amount"),
        ended=Ended(parse_partial(ended["date"], end=True), ended["why"], _source(ended["source"], keys))
        if ended else None,
        award_keys=tuple(sorted(keys.items())),
    )


def _entity(family_id: str, raw: dict[str, Any]) -> Entity:
    keys = {piid: key for ev in raw.get("evidence", ()) for piid, key in ev.get("award_keys", {}).items()}
    return Entity(
        id=raw["id"], name=raw["name"], family_id=family_id, relation=raw["relation"], parent=raw.get("parent"),
        aliases=tuple(raw.get("aliases", ())), weak_aliases=tuple(raw.get("weak_aliases", ())),
        former_names=tuple(raw.get("former_names", ())), products=tuple(raw.get("products", ())),
        categories=tuple(raw.get("categories", ())), agencies=tuple(raw.get("agencies", ())),
        identifiers=tuple(Identifier(i["type"], str(i["value"]), _source(i["source"], keys), i.get("exchange"))
                          for i in raw.get("identifiers", ())),
        evidence=tuple(_evidence(raw["id"], e) for e in raw.get("evidence", ())),
        sources=tuple(_source(s, keys) for s in raw["sources"]),
        acquired=raw.get("acquired"), divested=raw.get("divested"),
        acquired_source=_source(raw["acquired_source"]) if "acquired_source" in raw else None,
        divested_source=_source(raw["divested_source"]) if "divested_source" in raw else None,
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
    decoys = tuple(Decoy(d["name"], d["why"], fam_id, _source(d["source"]) if "source" in d else None)
                   for d in data.get("decoys", ()))
    return Family(id=fam_id, status=data["status"], last_verified=parse_partial(data["last_verified"]),
                  summary=data["summary"], entities=entities, decoys=decoys, path=str(path), sha256=doc.sha256)


def _family(file: Path) -> Family:
    """``load_family``, kept in the cache by the file's bytes alone: an unchanged family file, in the bundled
    registry, a project's copy or a copy being edited and linted, is parsed and validated once; the path is its own.
    """
    fam = cached("family", [file], lambda: load_family(file), expected=Family, named=False)
    return fam if fam.path == str(file) else replace(fam, path=str(file))


def load_registry(directory: Path | str | None = None) -> Registry:
    """Load every ``*.yaml`` family file in ``directory`` (default: the bundled registry).

    The validated result is kept in the on-disk cache (``checker.knowledge.cache``) under a hash of the files.
    """
    files = registry_files(directory)
    return cached("registry", files, lambda: build_registry(files), expected=Registry)


def registry_files(directory: Path | str | None = None) -> list[Path]:
    """The family files of the registry in ``directory`` (default: the bundled registry), in order."""
    folder = Path(directory) if directory is not None else bundled_dir("vendors")
    files = sorted(f for f in folder.glob("*.yaml") if f.name != DATASETS_FILE)
    if not files:
        raise InputError(str(folder), "no registry files (*.yaml) found")
    return files


def build_registry(files: list[Path]) -> Registry:
    """Load, validate and link these family files (no cache; ``load_registry`` is the cached way)."""
    families: dict[str, Family] = {}
    entities: dict[str, Entity] = {}
    combined = hashlib.sha256()
    for file in files:
        fam = _family(file)
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
