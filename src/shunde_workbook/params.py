"""Parameter sets, ``--set`` overrides and validation before any kernel starts.

Papermill only warns about unknown parameters; the workbook refuses them.
Every notebook declares its parameters in a cell tagged ``parameters``.  A
supplied name must be declared by at least one notebook of the run, and its
value must fit the rule in :data:`SPECS` (or, for a name with no rule, the
type of the notebook's default).
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shunde_workbook import i18n
from shunde_workbook.data.safe_yaml import read_yaml_file, safe_yaml, short  # noqa: F401 - re-exported
from shunde_workbook.data.schema import PROGRAMMES
from shunde_workbook.errors import ParameterError, closest
from shunde_workbook.geo.names import TOWN_CODES, normalise_town
from shunde_workbook.paths import ROOT

# Names the runner fills in itself; users may not set them.
RUNNER_PARAMS = ("project_root", "output_dir", "report_name")


@dataclass(frozen=True)
class Spec:
    """What one parameter accepts."""

    kind: str  # int | float | str | bool | list | dict | path
    help: str
    choices: tuple = ()
    minimum: float | None = None
    maximum: float | None = None
    item_kind: str | None = None
    item_choices: tuple = ()
    allow_empty: bool = True
    examples: tuple = field(default_factory=tuple)
    suffixes: tuple = ()  # for kind "path": the file kinds it reads

    def allowed(self) -> str:
        """A short human description of the allowed values."""
        if self.choices:
            return "one of " + ", ".join(map(str, self.choices))
        if self.kind in ("int", "float") and self.minimum is not None:
            return f"a{'n integer' if self.kind == 'int' else ' number'} from {self.minimum:g} to {self.maximum:g}"
        if self.kind == "list" and self.item_choices:
            return "a list drawn from " + ", ".join(map(str, self.item_choices))
        if self.kind == "path":
            kinds = f" ({', '.join(self.suffixes)})" if self.suffixes else ""
            return f"the path of an existing, readable file{kinds} (relative to the project folder or absolute)"
        return {
            "list": "a list, e.g. [a, b]",
            "dict": "a mapping, e.g. {population: 0.6, village_units: 0.4}",
            "bool": "true or false",
            "str": "text",
            "int": "an integer",
            "float": "a number",
        }[self.kind]


SPECS: dict[str, Spec] = {
    "language": Spec("str", "Language of every title, label and sentence", choices=i18n.LANGUAGES),
    "year_start": Spec("int", "First grant year included", minimum=2017, maximum=2023),
    "year_end": Spec("int", "Last grant year included", minimum=2017, maximum=2023),
    "programmes": Spec("list", "Programmes included", item_kind="str", item_choices=PROGRAMMES, allow_empty=False),
    "fields": Spec("list", "Fields/sections included (empty list = all)", item_kind="str"),
    "amount_unit": Spec("str", "Unit for amounts in tables and figures", choices=("元", "万元")),
    "population_basis": Spec(
        "str",
        "Town populations: anchored to the 2020 census total (all 10 towns), the published figures "
        "of any grade (均安 none), or only census/official (A/B)",
        choices=("census_anchored", "best_available", "official_only"),
    ),
    "scheme": Spec(
        "str",
        "Map classification scheme (mapclassify)",
        choices=("quantiles", "fisher_jenks", "equal_interval", "user_defined"),
    ),
    "k": Spec("int", "Number of map classes", minimum=2, maximum=9),
    "breaks": Spec("list", "Class upper bounds for scheme=user_defined", item_kind="float"),
    "need_weights": Spec("dict", "Weights of town-table columns in the need index"),
    "floor_share": Spec("float", "Share of the plan given as an equal floor in the blend rule", minimum=0, maximum=1),
    "allocation_unit": Spec(
        "float",
        "Rounding step of the 2023 scenario allocations, in 万元 (0.1 = 1,000 元); "
        "must divide each programme's plan total",
        minimum=0.0001,
        maximum=1000,
    ),
    "top_n": Spec("int", "How many organisations count as the top group", minimum=1, maximum=100),
    "town": Spec("str", "Town of a profile (NBS code or name: 大良, 大良街道, Daliang)", choices=TOWN_CODES),
    "ledger_path": Spec("path", "Grant ledger (CSV or XLSX)", suffixes=(".csv", ".xlsx")),
    "towns_path": Spec("path", "Town table (CSV)", suffixes=(".csv",)),
    "population_path": Spec("path", "Town population table (CSV)", suffixes=(".csv",)),
    "boundaries_path": Spec(
        "path", "Town boundaries (any OGR file: shp, gpkg, geojson)", suffixes=(".shp", ".gpkg", ".geojson", ".json")
    ),
    # Uncertainty model (analysis.uncertainty; defaults in uncertainty.MODEL_DEFAULTS, not yet in default.yaml)
    "draws": Spec("int", "Monte Carlo draws of the inputs (default 1000)", minimum=100, maximum=100000),
    "uncertainty_seed": Spec(
        "int", "Random seed of the Monte Carlo draws (default 2023)", minimum=0, maximum=2**32 - 1
    ),
    "population_uncertainty": Spec(
        "float", "Scale of the population ranges: 1 = as documented, 0 = fixed figures", minimum=0, maximum=2
    ),
    "impute_missing_population": Spec("bool", "Give a town with no population figure (均安) an imputed one, ±30%"),
    "weight_concentration": Spec(
        "float", "Dirichlet concentration of the need weights (0 = fixed weights; default 50)", minimum=0, maximum=1e6
    ),
    "seed_ensemble": Spec(
        "int", "Simulator seeds re-run for a simulated ledger (0 = none; default 20)", minimum=0, maximum=200
    ),
}

_PY_TYPES = {"int": int, "float": (int, float), "str": str, "bool": bool, "list": list, "dict": dict, "path": str}
_PM_TYPES = {"int": "int", "float": "float", "str": "str", "bool": "bool", "list": "list", "dict": "dict"}


MAX_PARAM_FILE = 256 * 1024  # bytes; a parameter set is a few hundred
ECHO_LIMIT = 80  # characters of a supplied value echoed back in a message


def load_param_file(path: str | Path) -> dict[str, Any]:
    """Read a YAML parameter set; fail clearly on a missing, oversized or malformed file."""
    path = Path(path)
    data = read_yaml_file(path, "Parameter file", hint=" Give a .yaml file, e.g. params/default.yaml.") or {}
    if not isinstance(data, dict):
        raise ParameterError(f"Parameter file {path} must hold a mapping of name: value, not {type(data).__name__}.")
    return data


def parse_set(items: list[str]) -> dict[str, Any]:
    """Turn ``["k=7", "language=en"]`` into ``{"k": 7, "language": "en"}`` (values read as YAML)."""
    out: dict[str, Any] = {}
    for item in items or []:
        name, sep, raw = item.partition("=")
        if not sep or not name.strip():
            raise ParameterError(f"--set {short(item)}: expected NAME=VALUE, e.g. --set language=en")
        if len(raw) > MAX_PARAM_FILE:
            raise ParameterError(f"--set {short(name)}: the value is {len(raw):,} characters long; too long.")
        try:
            value = safe_yaml(raw, f"--set {short(name)}") if raw.strip() else ""
        except ParameterError as exc:
            if "anchors" in str(exc):
                raise
            value = raw
        out[name.strip()] = value
    return out


def declared_parameters(notebook: Path) -> dict[str, dict]:
    """Names, inferred types and defaults of a notebook's ``parameters`` cell.

    The cell is parsed with :mod:`ast` (plain ``name = value  # help`` lines,
    as papermill expects) so that validation needs no heavy import.
    """
    nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    cell = next((c for c in nb.get("cells", []) if "parameters" in c.get("metadata", {}).get("tags", [])), None)
    if cell is None:
        raise ParameterError(f"{notebook}: no cell tagged 'parameters'. Tag the cell that holds the defaults.")
    source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    lines = source.splitlines()
    found = {}
    for node in ast.parse(source).body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    try:
                        default = ast.literal_eval(node.value)
                        kind = type(default).__name__
                    except ValueError:
                        default, kind = ast.unparse(node.value), "None"
                    help_text = lines[node.lineno - 1].partition("#")[2].strip()
                    found[target.id] = {
                        "name": target.id,
                        "inferred_type_name": kind,
                        "default": default,
                        "help": help_text,
                    }
    return found


def _check_value(name: str, value: Any, spec: Spec) -> str | None:
    """Return a problem description, or None when ``value`` fits ``spec``."""
    py = _PY_TYPES[spec.kind]
    if spec.kind == "bool" and not isinstance(value, bool):
        return "a boolean"
    if spec.kind in ("int", "float") and (isinstance(value, bool) or not isinstance(value, py)):
        return spec.allowed()
    if not isinstance(value, py):
        return spec.allowed()
    if spec.choices and value not in spec.choices:
        return spec.allowed()
    if spec.minimum is not None and not (spec.minimum <= value <= spec.maximum):
        return spec.allowed()
    if spec.kind == "list":
        if not spec.allow_empty and not value:
            return spec.allowed() + " (not empty)"
        for item in value:
            if spec.item_choices and item not in spec.item_choices:
                return spec.allowed()
            if spec.item_kind == "float" and (isinstance(item, bool) or not isinstance(item, (int, float))):
                return "a list of numbers"
    if spec.kind == "dict":
        for _key, weight in value.items():
            if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight < 0:
                return "a mapping of column name to a non-negative weight"
    if spec.kind == "path":
        return _check_path(resolve_path(value), spec)
    return None


def _check_path(path: Path, spec: Spec) -> str | None:
    """The kind of file a path parameter needs: an existing, readable regular file of a known type."""
    import os

    if not path.exists():
        return spec.allowed() + "; no such file"
    if path.is_dir():
        return spec.allowed() + "; this is a folder, not a file"
    if not path.is_file():
        return spec.allowed() + "; this is not a regular file"
    if spec.suffixes and path.suffix.lower() not in spec.suffixes:
        return spec.allowed() + f"; a {path.suffix or 'file without extension'} cannot be read here"
    if not os.access(path, os.R_OK):
        return spec.allowed() + "; the file is not readable (permissions)"
    if path.stat().st_size == 0:
        return spec.allowed() + "; the file is empty"
    return None


def resolve_path(value: str | Path, root: Path = ROOT) -> Path:
    """A path parameter as an absolute path (relative ones are taken from the project folder)."""
    p = Path(value).expanduser()
    return p if p.is_absolute() else (root / p)


def validate(supplied: dict[str, Any], declared: dict[str, dict], source: str = "--set") -> list[str]:
    """Check supplied parameters against the union of declared ones.

    Parameters
    ----------
    supplied : mapping of parameter name to value.
    declared : mapping of name to papermill's inferred parameter record
        (``inferred_type_name``, ``default``) for every notebook in the run.
    source : where the values came from, for the messages.

    Returns
    -------
    list of str
        One message per problem (empty when all is well).
    """
    problems = []
    for name, value in supplied.items():
        if name in RUNNER_PARAMS:
            problems.append(f"{source}: parameter '{name}' is set by the runner itself and cannot be supplied.")
            continue
        if name not in declared:
            hint = closest(str(name)[:100], [n for n in declared if n not in RUNNER_PARAMS])
            valid = ", ".join(sorted(n for n in declared if n not in RUNNER_PARAMS))
            problems.append(
                f"{source}: unknown parameter {short(name, 40)} (given {short(value)})."
                + (f" Did you mean '{hint}'?" if hint else "")
                + f" Valid parameters: {valid}."
            )
            continue
        spec = SPECS.get(name)
        if spec is None:
            kind = _PM_TYPES.get(declared[name].get("inferred_type_name", ""), None)
            spec = Spec(kind, "") if kind else None
        if spec is None:
            continue
        expected = _check_value(name, value, spec)
        if expected:
            hint = closest(value[:100], spec.choices) if spec.choices and isinstance(value, str) else None
            problems.append(
                f"{source}: parameter '{name}' was given {short(value)}; allowed: {expected}."
                + (f" Did you mean '{hint}'?" if hint else "")
            )
    return problems


def coerce(supplied: dict[str, Any]) -> dict[str, Any]:
    """Read numbers given for text parameters as text (``--set town=440606005`` is a code, not an int).

    A town given by name (大良, 大良街道, Daliang) becomes its code.
    """
    out = dict(supplied)
    for name, value in supplied.items():
        spec = SPECS.get(name)
        if spec and spec.kind in ("str", "path") and isinstance(value, (int, float)) and not isinstance(value, bool):
            out[name] = str(value)
        if name == "town" and isinstance(out[name], str) and out[name] not in TOWN_CODES:
            code = normalise_town(out[name])
            if code is not None:
                out[name] = code  # 大良, 大良街道, Daliang → 440606005
    return out


def cross_check(merged: dict[str, Any]) -> list[str]:
    """Problems that involve two parameters together (after file and --set are merged)."""
    problems = []
    start, end = merged.get("year_start"), merged.get("year_end")
    if isinstance(start, int) and isinstance(end, int) and start > end:
        problems.append(f"year_start ({start}) is after year_end ({end}); swap them.")
    if merged.get("scheme") == "user_defined" and not merged.get("breaks"):
        problems.append("scheme 'user_defined' needs breaks, e.g. --set 'breaks=[500, 1000, 2000]'.")
    if merged.get("breaks") and merged.get("scheme") != "user_defined":
        problems.append(
            f"breaks are used only with scheme 'user_defined', but scheme is {short(merged.get('scheme'))}; "
            "add --set scheme=user_defined, or drop breaks."
        )
    problems += weight_problems(merged)
    problems += field_problems(merged)
    return problems


_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _plainly_numeric(path: Path, names) -> bool:
    """Whether every weighted column of the town table holds plain decimal numbers only (read without pandas).

    True means the pandas check below would find nothing (columns the file lacks are not checked
    there either); anything else (a blank, "NA", text, an empty column) goes to that check, so the
    answer and its wording stay the same.
    """
    import csv

    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            rows, header = list(reader), reader.fieldnames or []
    except (OSError, ValueError, UnicodeDecodeError, csv.Error):
        return False
    for name in names:
        if name not in header:  # population, village_units: added by the loader, not checked here
            continue
        values = [str(r.get(name) or "").strip() for r in rows]
        if not values or not all(_PLAIN_NUMBER.fullmatch(v) for v in values):
            return False
    return True


def weight_problems(merged: dict[str, Any]) -> list[str]:
    """need_weights: known, numeric town-table columns, and weights that do not sum to zero."""
    weights, towns = merged.get("need_weights"), merged.get("towns_path", "data/reference/towns.csv")
    if not isinstance(weights, dict):
        return []
    problems = []
    numbers = [w for w in weights.values() if isinstance(w, (int, float)) and not isinstance(w, bool)]
    if weights and len(numbers) == len(weights) and sum(numbers) <= 0:
        problems.append("need_weights: the weights sum to zero; give at least one column a positive weight.")
    if not (isinstance(towns, str) and _check_path(resolve_path(towns), SPECS["towns_path"]) is None):
        return problems
    columns = town_columns(resolve_path(towns))
    if all(name in columns for name in weights) and _plainly_numeric(resolve_path(towns), weights):
        return problems  # a run's usual case, decided without importing pandas (the no-change run needs none)
    import pandas as pd

    try:
        table = pd.read_csv(resolve_path(towns), dtype=str, encoding="utf-8-sig")
    except (OSError, ValueError, UnicodeDecodeError):
        table = pd.DataFrame()

    def numeric(col: str) -> bool:  # a column of the table with numbers, or one added from the population file
        if col not in table.columns:
            return True
        raw = table[col].dropna().str.strip()
        return not raw.empty and pd.to_numeric(raw[raw != ""], errors="coerce").notna().all()

    usable = sorted(c for c in columns if numeric(c) and not c.endswith("_code"))
    for name in weights:
        if name not in columns:
            hint = closest(str(name)[:100], usable)
            problems.append(
                f"need_weights: {short(name, 40)} is not a column of the town table {towns}"
                + (f"; did you mean '{hint}'?" if hint else ".")
                + f" Usable (numeric) columns: {', '.join(usable)}."
            )
        elif name in table.columns:
            raw = table[name].dropna().str.strip()
            bad = raw[pd.to_numeric(raw, errors="coerce").isna() & (raw != "")]
            if len(bad) or raw.empty:
                example = f" (e.g. {short(bad.iloc[0], 30)})" if len(bad) else " (it is empty)"
                problems.append(
                    f"need_weights: column '{name}' of {towns} is not numeric{example}; "
                    "a need index needs numbers in every weighted column."
                )
    return problems


def field_problems(merged: dict[str, Any]) -> list[str]:
    """fields: each must occur in the ledger for the chosen programmes and years (read before any kernel)."""
    fields = merged.get("fields")
    ledger = merged.get("ledger_path", "data/raw/grants_simulated.csv")
    if not isinstance(fields, list) or not fields or not isinstance(ledger, str):
        return []
    if _check_path(resolve_path(ledger), SPECS["ledger_path"]) is not None:
        return []
    from shunde_workbook.data.cache import read_ledger
    from shunde_workbook.errors import WorkbookError

    try:
        frame = read_ledger(resolve_path(ledger))
    except (WorkbookError, OSError, ValueError):
        return []  # the ledger's own problems are reported by the notebooks' validator
    progs = merged.get("programmes") or list(PROGRAMMES)
    start, end = merged.get("year_start", 2017), merged.get("year_end", 2023)
    keep = frame["programme"].isin(progs) & frame["year"].between(start, end)
    present = sorted(set(frame.loc[keep, "field"].dropna().astype(str)))
    problems = []
    for name in fields:
        if str(name) not in present:
            hint = closest(str(name)[:100], present)
            problems.append(
                f"fields: {short(name, 40)} does not occur in the ledger for {', '.join(map(str, progs))} "
                f"in {start}–{end}"
                + (f"; did you mean '{hint}'?" if hint else "")
                + f" Fields there: {', '.join(present)}."
            )
    return problems


def town_columns(path: Path) -> set[str]:
    """Columns a need index can use: the town table's own, plus population and village_units."""
    import csv

    with open(path, encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh), [])
    return set(header) | {"population", "village_units"}


def collect(namespace: dict) -> dict[str, Any]:
    """The workbook parameters defined in a notebook's namespace, as a dict.

    Used right after the ``parameters`` cell: ``params = collect(globals())``.
    """
    return {k: namespace[k] for k in SPECS if k in namespace}


def scope_of(params: dict) -> tuple:
    """``(programmes, year_start, year_end, fields)`` of ``params``, with the notebooks' defaults."""
    return (
        params.get("programmes", ["众创共善", "和美社区"]),
        params.get("year_start", 2017),
        params.get("year_end", 2022),
        params.get("fields") or (),
    )
