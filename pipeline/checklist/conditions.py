"""When does a checklist item apply? A small, safe condition language over first-notice fields.

Written in YAML, never evaluated as code::

    when: {field: auto.third_party_injured, equals: true}
    when: {any: [{field: auto.police_report_filed, equals: true}, {field: claimed_amount, at_least: 20000}]}
    when: {not: {field: property.cause, in: [arson]}}

A ``field`` is a dotted path into :class:`pipeline.schemas.FirstNotice`. A path that
passes through an absent block (``health`` on an auto claim) reads as null.
"""
from __future__ import annotations

import types
import typing
from decimal import Decimal
from enum import Enum
from typing import Any, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pipeline.schemas import FirstNotice

_TESTS = ("equals", "in", "at_least", "below")


class Condition(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    field: str | None = None
    equals: Any = None
    in_: list[Any] | None = Field(None, alias="in")
    at_least: Decimal | None = None
    below: Decimal | None = None
    any_: list["Condition"] | None = Field(None, alias="any", min_length=1)
    all_: list["Condition"] | None = Field(None, alias="all", min_length=1)
    not_: "Condition | None" = Field(None, alias="not")

    @model_validator(mode="after")
    def _one_form(self) -> "Condition":
        fields = type(self).model_fields
        given = {fields[n].alias or n for n in self.model_fields_set}
        combinators = given & {"any", "all", "not"}
        tests = given & set(_TESTS)
        if combinators and (tests or "field" in given):
            raise ValueError("use either a field test or one of any/all/not, not both")
        if len(combinators) > 1:
            raise ValueError(f"use one of any/all/not per condition, found {sorted(combinators)}")
        if not combinators:
            if "field" not in given:
                raise ValueError("a condition needs 'field' with one test (equals, in, at_least, below), or any/all/not")
            if len(tests) != 1:
                raise ValueError(f"a field test needs exactly one of {', '.join(_TESTS)}, found {sorted(tests) or 'none'}")
        return self

    def describe(self) -> str:
        """Plain words for the audit trail, e.g. ``auto.third_party_injured = true``."""
        if self.any_:
            return "(" + " or ".join(c.describe() for c in self.any_) + ")"
        if self.all_:
            return "(" + " and ".join(c.describe() for c in self.all_) + ")"
        if self.not_ is not None:
            return f"not {self.not_.describe()}"
        if "in_" in self.model_fields_set:
            return f"{self.field} in {self.in_}"
        if "at_least" in self.model_fields_set:
            return f"{self.field} >= {self.at_least}"
        if "below" in self.model_fields_set:
            return f"{self.field} < {self.below}"
        return f"{self.field} = {_plain(self.equals)}"


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _value_at(fnol: FirstNotice, path: str) -> Any:
    value: Any = fnol
    for part in path.split("."):
        if value is None:
            return None
        value = getattr(value, part)
    return value.value if isinstance(value, Enum) else value


def holds(condition: Condition | None, fnol: FirstNotice) -> bool:
    """Whether the condition is true for this first notice (no condition: always)."""
    if condition is None:
        return True
    if condition.any_:
        return any(holds(c, fnol) for c in condition.any_)
    if condition.all_:
        return all(holds(c, fnol) for c in condition.all_)
    if condition.not_ is not None:
        return not holds(condition.not_, fnol)
    value = _value_at(fnol, condition.field or "")
    if "in_" in condition.model_fields_set:
        return value in (condition.in_ or [])
    if "at_least" in condition.model_fields_set:
        return value is not None and Decimal(str(value)) >= condition.at_least
    if "below" in condition.model_fields_set:
        return value is not None and Decimal(str(value)) < condition.below
    return value == condition.equals


Condition.model_rebuild()


# --- start-up checks: every path must name a real FirstNotice field ---------------------

def _field_type(path: str) -> tuple[Any, str | None]:
    """The annotation at a dotted path of FirstNotice, or (None, why not)."""
    model: Any = FirstNotice
    annotation: Any = None
    parts = path.split(".")
    for i, part in enumerate(parts):
        fields = getattr(model, "model_fields", None)
        if fields is None or part not in fields:
            where = ".".join(parts[:i]) or "FirstNotice"
            known = ", ".join(sorted(fields)) if fields else "nothing (not a block)"
            return None, f"'{part}' is not a field of {where}; it has {known}"
        annotation = fields[part].annotation
        model = _model_in(annotation)
    return annotation, None


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (Union, types.UnionType):
        for arg in typing.get_args(annotation):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                return arg
    return None


def _is_numeric(annotation: Any) -> bool:
    args = typing.get_args(annotation) or (annotation,)
    return any(a in (int, float, Decimal) for a in args)


def condition_problems(condition: Condition, loc: tuple[Any, ...]) -> list[tuple[tuple[Any, ...], str]]:
    """Paths that name no FirstNotice field, and number tests on fields that are not numbers."""
    problems: list[tuple[tuple[Any, ...], str]] = []
    for key, children in (("any", condition.any_), ("all", condition.all_)):
        for i, child in enumerate(children or []):
            problems += condition_problems(child, loc + (key, i))
    if condition.not_ is not None:
        problems += condition_problems(condition.not_, loc + ("not",))
    if condition.field is not None:
        annotation, why = _field_type(condition.field)
        if why:
            problems.append((loc + ("field",), why))
        elif condition.model_fields_set & {"at_least", "below"} and not _is_numeric(annotation):
            problems.append((loc + ("field",), f"'{condition.field}' is not a number, so at_least/below cannot apply"))
        elif _model_in(annotation) is not None:
            problems.append((loc + ("field",), f"'{condition.field}' is a block; name one of its fields"))
    return problems
