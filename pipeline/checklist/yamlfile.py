"""Read a YAML config file into a pydantic model, or fail saying file, line and what is wrong.

Config mistakes must stop the service at start-up with a message a person can act on,
so every problem (YAML syntax, a repeated key, a wrong type, an unknown document type)
is reported against the line it sits on. Lines come from the composed YAML node tree.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)
Loc = tuple[Any, ...]
Problem = tuple[Loc, str]


class ChecklistConfigError(ValueError):
    """A config file is malformed; the message names file, line and problem for each fault."""

    def __init__(self, problems: Sequence[tuple[Path, int | None, str]]):
        self.problems = list(problems)
        lines = [f"{path}:{line if line is not None else '?'}: {what}" for path, line, what in self.problems]
        super().__init__("invalid configuration:\n  " + "\n  ".join(lines))


def _duplicate_keys(node: yaml.Node) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                line = key.start_mark.line + 1
                if key.value in seen:
                    found.append((line, f"key '{key.value}' repeats the one on line {seen[key.value]}"))
                seen.setdefault(key.value, line)
            found += _duplicate_keys(value)
    elif isinstance(node, yaml.SequenceNode):
        for child in node.value:
            found += _duplicate_keys(child)
    return found


def line_of(root: yaml.Node | None, loc: Loc) -> int | None:
    """1-based line of the deepest node the location path reaches (a key's own line for mapping keys)."""
    if root is None:
        return None
    node, line = root, root.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == str(part)), None)
            if match is None:
                break
            line = match[0].start_mark.line + 1
            node = match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _describe(loc: Loc) -> str:
    return ".".join(str(p) for p in loc)


def load_yaml_model(
    path: Path,
    model: type[M],
    problems: Callable[[M], list[Problem]] | None = None,
) -> tuple[M, yaml.Node]:
    """Parse, validate and domain-check one YAML file; returns the model and its node tree."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ChecklistConfigError([(path, None, f"cannot read the file: {exc.strerror or exc}")]) from exc
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        what = " ".join(str(p) for p in (getattr(exc, "context", None), getattr(exc, "problem", None)) if p) or str(exc)
        raise ChecklistConfigError([(path, mark.line + 1 if mark else None, f"YAML syntax: {what}")]) from exc
    if root is None or not isinstance(data, dict):
        raise ChecklistConfigError([(path, 1, "expected a mapping of settings at the top of the file")])
    dupes = _duplicate_keys(root)
    if dupes:
        raise ChecklistConfigError([(path, line, what) for line, what in dupes])
    try:
        parsed = model.model_validate(data)
    except ValidationError as exc:
        found = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            where = _describe(loc)
            what = f"{where}: {err['msg']}" if where else err["msg"]
            found.append((path, line_of(root, loc), what))
        raise ChecklistConfigError(found) from None
    faults = problems(parsed) if problems else []
    if faults:
        raise ChecklistConfigError(
            [(path, line_of(root, loc), f"{_describe(loc)}: {what}" if loc else what) for loc, what in faults]
        )
    return parsed, root
