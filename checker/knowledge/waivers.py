"""The waiver register: "no reasonable alternative" waivers a council granted, with dates and scope.

A register is YAML or CSV. A CSV register is read once and bounded (like YAML, at most ``MAX_BYTES`` + 1 bytes),
in any encoding a payment file may have (UTF-8, UTF-16 or UTF-32 with a BOM, cp1252), and parsed strictly: an
unclosed quote or a field longer than ``MAX_CSV_FIELD`` characters is refused with its line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from checker.errors import InputError
from checker.knowledge.registry import Registry
from checker.knowledge.validation import field_name, validate
from checker.knowledge.yamlsafe import LoadedYaml, load_yaml_file, read_bounded
from checker.sources.csv_source import detect_encoding
from checker.sources.values import parse_amount

CSV_FIELDS = ("vendor", "entity", "rule_set", "resolution", "decided", "expires", "family", "contract_id", "contracts",
              "actions", "max_amount", "intent", "alternatives", "extra_cost")
LIST_SEPARATOR = ";"
"""Separates several contracts or actions in one cell of a waivers CSV (``C-1; C-2``)."""
DEFAULT_ACTIONS = ("new",)
"""What a waiver covers when its scope names no actions: entering the contract (and paying under it)."""
MAX_CSV_FIELD = 128 * 1024
"""Longest field of a waiver register in CSV, in characters (the csv module's own default): longer is refused."""
MAX_NAMED = 12
"""Most known rule-set ids an "unknown rule set" message lists."""


@dataclass(frozen=True)
class Waiver:
    """One granted waiver."""

    rule_set: str
    resolution: str
    decided: date
    vendor: str | None = None
    entity: str | None = None
    expires: date | None = None
    contract_id: str | None = None
    max_amount: float | None = None
    intent: str | None = None
    alternatives: str | None = None
    extra_cost: str | None = None
    family: bool = False
    """True: the waiver reaches the entity's subsidiaries (the whole family for its root); else the entity only."""
    contracts: tuple[str, ...] = ()
    """The contracts it was granted for (empty: any contract of the vendor); ``contract_id`` is among them."""
    actions: tuple[str, ...] = DEFAULT_ACTIONS
    """The contract actions it was granted for; payments and unchanged contracts under them are covered too."""

    def describe(self) -> str:
        """How findings cite the waiver."""
        until = f", expires {self.expires.isoformat()}" if self.expires else ", no expiry"
        scope = f"; contract{'s' if len(self.contracts) > 1 else ''} {', '.join(self.contracts)}" \
            if self.contracts else ""
        scope += f"; {', '.join(self.actions)}" if tuple(self.actions) != DEFAULT_ACTIONS else ""
        scope += "; with its subsidiaries" if self.family else ""
        scope += f"; up to ${self.max_amount:,.2f}" if self.max_amount is not None else ""
        found = "; ".join(f"{k}: {v}" for k, v in (("intent", self.intent), ("alternatives", self.alternatives),
                                                  ("extra cost", self.extra_cost)) if v)
        return (f"waiver {self.resolution} (decided {self.decided.isoformat()}{until}{scope})"
                + (f" — no reasonable alternative: {found}" if found else ""))


class WaiverRegister(dict[str, list[Waiver]]):
    """Waivers by rule-set id, with the SHA-256 of the bytes read (the register's provenance)."""

    def __init__(self, sha256: str = "") -> None:
        super().__init__()
        self.sha256 = sha256

    @classmethod
    def of(cls, waivers: Iterable[Waiver], sha256: str = "") -> WaiverRegister:
        """Waivers from elsewhere (the compliance register's granted waivers), by rule-set id."""
        out = cls(sha256)
        for w in waivers:
            out.setdefault(w.rule_set, []).append(w)
        return out


def _csv_records(text: str, source: str) -> Iterator[tuple[int, list[str]]]:
    """Each record of a CSV text with the line it starts on; malformed CSV and over-long fields are refused."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise InputError(source, f"line {reader.line_num}: a field is longer than {MAX_CSV_FIELD:,} "
                                         "characters") from None
            if "unexpected end of data" in str(exc):
                raise InputError(source, f"line {start}: malformed CSV: a quoted field opened in this record is "
                                         "never closed") from None
            raise InputError(source, f"line {reader.line_num}: malformed CSV: {exc}") from None
        if any(len(cell) > MAX_CSV_FIELD for cell in cells):
            raise InputError(source, f"line {start}: a field is longer than {MAX_CSV_FIELD:,} characters")
        yield start, cells
        start = reader.line_num + 1


def _decode(raw: bytes, source: str) -> str:
    """The text of a CSV register, in the encoding its bytes show (as for payment files)."""
    encoding = detect_encoding(raw)
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(source, f"is not {encoding} text (byte {exc.start} cannot be read): save it as UTF-8 "
                                 "CSV") from None


def _from_csv(path: Path) -> LoadedYaml:
    import hashlib

    source = str(path)
    raw = read_bounded(path, "a CSV file")
    records = _csv_records(_decode(raw, source), source)
    header_line, header = next(((n, cells) for n, cells in records if cells), (1, []))
    columns = [name.strip() for name in header]
    unknown = set(columns) - set(CSV_FIELDS) - {""}  # a header's trailing comma names no column
    if unknown:
        raise InputError(source, f"line {header_line}: unknown columns {', '.join(sorted(unknown))}; "
                                 f"expected some of {', '.join(CSV_FIELDS)}")
    twice = sorted({name for name in columns if name and columns.count(name) > 1})
    if twice:
        raise InputError(source, f"line {header_line}: column {twice[0]!r} appears more than once")
    items: list[dict] = []
    lines: dict = {}
    for line, cells in records:
        if not cells:
            continue  # a blank line
        if any(cell.strip() for cell in cells[len(columns):]):
            raise InputError(source, f"line {line}: {len(cells)} cells, but the header names {len(columns)} columns")
        item: dict = {k: v.strip() for k, v in zip(columns, cells, strict=False) if k and v.strip()}
        scope = {k: item.pop(k) for k in ("contract_id", "contracts", "actions", "max_amount") if k in item}
        for key in ("contracts", "actions"):
            if key in scope:
                scope[key] = [part.strip() for part in scope[key].split(LIST_SEPARATOR) if part.strip()]
        if "family" in item:
            flag = item["family"].lower()
            if flag not in ("true", "yes", "false", "no"):
                raise InputError(source, f"line {line}: family {item['family']!r} is not yes or no")
            item["family"] = flag in ("true", "yes")
        if "max_amount" in scope:
            amount = parse_amount(scope["max_amount"])
            if amount is None:
                raise InputError(source, f"line {line}: max_amount {scope['max_amount']!r} is not an amount")
            scope["max_amount"] = amount
        found = {k: item.pop(k) for k in ("intent", "alternatives", "extra_cost") if k in item}
        if scope:
            item["scope"] = scope
        if found:
            item["findings"] = found
        lines[("waivers", len(items))] = line
        items.append(item)
    return LoadedYaml(data={"waivers": items}, lines=lines, path=source, sha256=hashlib.sha256(raw).hexdigest())


def load_waivers(path: Path | str, registry: Registry,
                 rule_sets: Collection[str] | None = None) -> WaiverRegister:
    """Waivers from YAML or CSV (read once, bounded), by rule set id; unknown entity ids are refused.

    With ``rule_sets`` (the ids of the rule sets that exist), a waiver naming any other rule set is refused; None
    accepts any id.
    """
    p = Path(path)
    doc = _from_csv(p) if p.suffix.lower() == ".csv" else load_yaml_file(p)
    validate(doc, "waivers")
    out = WaiverRegister(sha256=doc.sha256)
    for i, raw in enumerate(doc.data["waivers"]):
        if rule_sets is not None and raw["rule_set"] not in rule_sets:
            raise _unknown_rule_set(doc, ("waivers", i, "rule_set"), raw["rule_set"], rule_sets)
        entity = registry.require_entity(doc, ("waivers", i, "entity"))
        scope, found = raw.get("scope", {}), raw.get("findings", {})
        decided = date.fromisoformat(raw["decided"])
        expires = date.fromisoformat(raw["expires"]) if raw.get("expires") else None
        if expires is not None and expires < decided:
            where = ("waivers", i, "expires")
            raise InputError(doc.path, f"line {doc.line_of(where)}: field {field_name(where)}: the waiver expires "
                                       f"({expires}) before it was decided ({decided})")
        contracts = tuple(dict.fromkeys([*([scope["contract_id"]] if "contract_id" in scope else []),
                                         *scope.get("contracts", [])]))
        w = Waiver(rule_set=raw["rule_set"], resolution=raw["resolution"], decided=decided,
                   vendor=raw.get("vendor"), entity=entity, expires=expires,
                   contract_id=scope.get("contract_id"), max_amount=scope.get("max_amount"),
                   intent=found.get("intent"), alternatives=found.get("alternatives"),
                   extra_cost=found.get("extra_cost"), family=bool(raw.get("family", False)), contracts=contracts,
                   actions=tuple(scope.get("actions", DEFAULT_ACTIONS)))
        out.setdefault(w.rule_set, []).append(w)
    return out


def _unknown_rule_set(doc: LoadedYaml, where: tuple[str | int, ...], ident: str, known: Iterable[str]) -> InputError:
    names = sorted(set(known))
    listed = ", ".join(names[:MAX_NAMED]) + (f" and {len(names) - MAX_NAMED} more" if len(names) > MAX_NAMED else "")
    return InputError(doc.path, f"line {doc.line_of(where)}: field {field_name(where)}: unknown rule set {ident!r}; "
                                f"known: {listed or 'none'}")
