"""Column mappings: which header of a file holds which ledger column, given by the user or guessed, saved as YAML.

    mapping = Mapping.parse(["提前下达金额(万元)=资助金额（万元）"])        # validate --map, repeatable
    mapping = Mapping.load("village_fund.mapping.yaml")                  # validate --mapping FILE.yaml
    report.mapping.save("village_fund.mapping.yaml")                     # validate --save-mapping FILE.yaml

A mapping file::

    # shunde-workbook column mapping
    columns:                      # header in the file: a template header, an on-disk header or a column name
      提前下达金额(万元): 资助金额（万元）
      示范村名称: 村(社区)
      示范村类型: ""              # "" = ignore this column
    fill:                         # a value for every row of a column the file does not have
      programme: 和美社区
      year: 2023
    provenance: official          # as --provenance
    unit: 万元                    # as --unit

A ledger ``grants.xlsx`` with a ``grants.mapping.yaml`` beside it is validated with that mapping when no other is
given, so ``shunde-workbook run --set ledger_path=grants.xlsx`` reads the file as mapped, without rewriting it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from shunde_workbook.data.ledger.headers import recognise
from shunde_workbook.data.ledger.messages import Msg
from shunde_workbook.data.schema import TO_DISK, header_key

#: Columns a mapping may fill with one value for every row.
FILLABLE = ("programme", "year", "field", "funder", "programme_title", "town", "currency", "provenance")


def sidecar(path: str | Path) -> Path:
    """The mapping file that belongs to a ledger: ``grants.xlsx`` → ``grants.mapping.yaml``."""
    path = Path(path)
    return path.with_name(path.stem + ".mapping.yaml")


def _key(header: str) -> str:
    return header_key(header)[0]


@dataclass
class Mapping:
    """Header → target (a template header, an on-disk header or a column name; "" ignores the column).

    ``fill`` gives a value to every row of a column the file does not have; ``source`` says where the mapping came
    from (a file, ``--map``, or "" when nothing was given).
    """

    columns: dict[str, str] = field(default_factory=dict)
    fill: dict[str, str] = field(default_factory=dict)
    provenance: str | None = None
    unit: str | None = None
    source: str = ""

    @classmethod
    def parse(cls, pairs: list[str] | None, fills: list[str] | None = None) -> Mapping:
        """From ``--map 'HEADER=TARGET'`` and ``--fill 'COLUMN=VALUE'`` arguments; ValueError when one has no '='."""
        mapping = cls(source="--map" if pairs else "")
        for kind, items in (("map", pairs or []), ("fill", fills or [])):
            for item in items:
                left, sep, right = str(item).partition("=")
                if not sep or not left.strip():
                    raise ValueError(Msg("map.bad_pair", kind=kind, value=item))
                if kind == "map":
                    mapping.columns[left.strip()] = right.strip()
                else:
                    mapping.fill[_fill_role(left.strip())] = right.strip()
        return mapping

    @classmethod
    def load(cls, path: str | Path) -> Mapping:
        """Read a mapping file; ValueError naming the file and the problem when it cannot be used."""
        path = Path(path)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise ValueError(Msg("map.file_bad", path=str(path), detail=str(exc).splitlines()[0][:160])) from None
        unknown = sorted(set(data) - {"columns", "fill", "provenance", "unit"}) if isinstance(data, dict) else ["?"]
        if unknown or not isinstance(data.get("columns", {}) or {}, dict):
            keys = ", ".join(map(str, unknown)) or "columns"
            raise ValueError(Msg("map.file_keys", path=str(path), keys=keys, allowed="columns, fill, provenance, unit"))
        columns = {str(k): "" if v is None else str(v) for k, v in (data.get("columns") or {}).items()}
        fill = {_fill_role(str(k)): str(v) for k, v in (data.get("fill") or {}).items()}
        return cls(columns, fill, data.get("provenance"), data.get("unit"), str(path))

    def merged(self, other: Mapping) -> Mapping:
        """The entries of this mapping with ``other``'s on top (``--map`` over ``--mapping``)."""
        return Mapping(
            {**self.columns, **other.columns},
            {**self.fill, **other.fill},
            other.provenance or self.provenance,
            other.unit or self.unit,
            " + ".join(s for s in (self.source, other.source) if s),
        )

    def target(self, header: str) -> str | None:
        """The target given for ``header`` (compared as written, then normalised), or None when not mapped."""
        if header in self.columns:
            return self.columns[header]
        keys = {_key(k): v for k, v in self.columns.items()}
        return keys.get(_key(header))

    def unused(self, headers: list[str]) -> list[str]:
        """Mapped headers the file does not have."""
        present = {h for h in headers} | {_key(h) for h in headers}
        return [h for h in self.columns if h not in present and _key(h) not in present]

    def save(self, path: str | Path) -> Path:
        """Write the mapping as YAML (UTF-8) and return the path."""
        path = Path(path)
        data: dict = {"columns": dict(self.columns)}
        if self.fill:
            data["fill"] = dict(self.fill)
        if self.provenance:
            data["provenance"] = self.provenance
        if self.unit:
            data["unit"] = self.unit
        text = "# shunde-workbook column mapping (data/README.md, 'Bringing your own ledger')\n"
        text += yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path


def _fill_role(name: str) -> str:
    """The column a ``fill`` entry names (a column name, an on-disk header or an alias such as 计划)."""
    role = recognise(name).role or name
    if role not in FILLABLE:
        raise ValueError(Msg("map.fill_role", name=name, choices=", ".join(FILLABLE)))
    return role


def target_role(target: str) -> tuple[str | None, str | None, str | None]:
    """(role, unit, currency) a mapping target stands for; role None for "" (ignore); ValueError if unknown."""
    if not target.strip():
        return None, None, None
    found = recognise(target)
    if found.role is None:
        raise ValueError(Msg("map.target_unknown", target=target, examples="资助金额（万元）, Amount Awarded, village"))
    return found.role, found.unit, found.currency


def disk_name(role: str) -> str:
    """The on-disk header of a role ('amount' → 'Amount Awarded'; 'town' and 'village' stay)."""
    return TO_DISK.get(role, role)
