"""Small YAML files read safely: parameter sets and sweep files.

A regular file of bounded size, UTF-8, no anchors or aliases (a "YAML bomb" expands them exponentially)
and no key given twice in one mapping (``yaml.safe_load`` silently keeps the last).  libyaml parses when
PyYAML was built with it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from shunde_workbook.errors import ParameterError

MAX_YAML_BYTES = 256 * 1024  # bytes; a parameter set is a few hundred


def short(value: Any, limit: int = 80) -> str:
    """``repr(value)`` cut to ``limit`` characters, control characters escaped, for messages."""
    text = repr(value)
    text = "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode() for ch in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def safe_yaml(text: str, where: str) -> Any:
    """``yaml.safe_load`` that refuses anchors and aliases (a "YAML bomb" expands them exponentially).

    Parameter files never need them; the check walks the parser's events, which is linear in the text.
    """
    fast = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML was built with it
    try:
        for event in yaml.parse(text, Loader=fast):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise ParameterError(
                    f"{where}: YAML anchors and aliases (& and *) are not accepted in parameters; write the values out."
                )
        loader = fast(text)
        try:
            node = loader.get_single_node()
            _refuse_duplicate_keys(node, where)
            return loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except RecursionError:
        raise ParameterError(f"{where}: the YAML is nested too deeply to be a parameter set.") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = short(getattr(exc, "problem", None) or type(exc).__name__, 120)
        raise ParameterError(f"{where} is not valid YAML{at}: {problem}") from None


def _refuse_duplicate_keys(root: yaml.Node | None, where: str) -> None:
    """Raise ParameterError when a mapping anywhere under ``root`` names the same key twice.

    ``yaml.safe_load`` silently keeps the last of two equal keys; a parameter set must not.
    """
    todo = [root] if root is not None else []
    while todo:
        node = todo.pop()
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    line = key.start_mark.line + 1
                    if key.value in seen:
                        raise ParameterError(
                            f"{where}: the key {short(key.value)} is given twice (lines {seen[key.value]} and {line}); "
                            "keep one."
                        )
                    seen[key.value] = line
                todo += [key, value]
        elif isinstance(node, yaml.SequenceNode):
            todo += node.value


def read_yaml_file(path: str | Path, what: str, max_bytes: int = MAX_YAML_BYTES, hint: str = "") -> Any:
    """A small YAML file read safely: a regular file, at most ``max_bytes``, UTF-8, no aliases, no duplicate keys."""
    path = Path(path)
    if not path.exists():
        raise ParameterError(f"{what} {path} does not exist.{hint}")
    if not path.is_file():  # a folder, a FIFO or a device: never opened
        raise ParameterError(f"{what} {path} is not a regular file.{hint}")
    if path.stat().st_size > max_bytes:
        raise ParameterError(
            f"{what} {path} is {path.stat().st_size:,} bytes; at most {max_bytes:,} bytes are read. "
            "Is it the right file?"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ParameterError(f"{what} {path} cannot be read as UTF-8 text ({type(exc).__name__}).") from None
    return safe_yaml(text, f"{what} {path}")
