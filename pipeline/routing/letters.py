"""Words for the customer and the file: milestone messages, denial letters and the
investigation report, rendered from config templates in the claim's language.

Templates are sandboxed Jinja2 and every variable must be supplied, so a missing value
is an error here rather than a blank in a letter.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from pipeline.routing.config import MILESTONES, RoutingConfig

_env = SandboxedEnvironment(undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False)


def _render(template: str, values: dict[str, Any], what: str) -> str:
    try:
        return _env.from_string(template).render(**values)
    except TemplateError as exc:
        raise ValueError(f"cannot render {what}: {exc}") from exc


def _language(config: RoutingConfig, language: str) -> str:
    if language not in config.milestones:
        raise ValueError(f"no messages in language {language!r}; have {', '.join(config.milestones)}")
    return language


@dataclass(frozen=True)
class Message:
    kind: str
    language: str
    subject: str
    body: str


def render_milestone(config: RoutingConfig, language: str, kind: str, values: dict[str, Any]) -> Message:
    if kind not in MILESTONES:
        raise ValueError(f"unknown milestone {kind!r}; known: {', '.join(MILESTONES)}")
    tpl = config.milestones[_language(config, language)].messages[kind]
    return Message(kind, language, _render(tpl.subject, values, f"{kind} subject").strip(),
                   _render(tpl.body, values, f"{kind} body"))


def doc_type_label(config: RoutingConfig, language: str, doc_type: str) -> str:
    labels = config.milestones[_language(config, language)].doc_types
    if doc_type not in labels:
        raise ValueError(f"unknown document type {doc_type!r}")
    return labels[doc_type]


@dataclass(frozen=True)
class DenialText:
    reason_code: str
    clause: str
    appeal_route: str
    body: str


def render_denial_letter(config: RoutingConfig, language: str, reason_code: str, *, claim_number: str,
                         claimant_name: str, policy_number: str, claimed_amount: str, currency: str,
                         reviewer: str, on: date, clause: str | None = None, note: str = "") -> DenialText:
    """The letter for a denial; ``clause`` overrides the reason's default clause."""
    reasons = config.denial.reasons
    if reason_code not in reasons:
        raise ValueError(f"unknown denial reason {reason_code!r}; known: {', '.join(reasons)}")
    reason = reasons[reason_code]
    language = _language(config, language)
    appeal = getattr(config.denial.appeal, language).format(days=config.denial.appeal.days, claim_number=claim_number)
    clause = (clause or "").strip() or reason.clause
    body = _render(config.milestones[language].denial_letter, {
        "claim_number": claim_number, "claimant_name": claimant_name, "policy_number": policy_number,
        "claimed_amount": claimed_amount, "currency": currency, "reason": getattr(reason, language),
        "clause": clause, "appeal": appeal, "reviewer": reviewer, "date": on.isoformat(), "note": note.strip(),
    }, "denial letter")
    return DenialText(reason_code, clause, appeal, body)


def render_investigation_report(config: RoutingConfig, values: dict[str, Any]) -> str:
    return _render(config.investigation_template, values, "investigation report")
