"""The one customer notice: everything missing or wrong in a single message, or an acknowledgement.

Rendered from ``config/notices/notices.yaml`` (Jinja2 templates per language). The flow
stores the result in the outbox for a channel to deliver.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import jinja2
from pydantic import BaseModel, ConfigDict, Field

from pipeline.checklist.config import config_dir
from pipeline.checklist.reasons import Language
from pipeline.checklist.result import ChecklistResult
from pipeline.checklist.yamlfile import Problem, load_yaml_model
from pipeline.dossier import Dossier

NoticeKind = Literal["missing_materials", "materials_complete", "not_accepted"]
KINDS: tuple[NoticeKind, ...] = ("missing_materials", "materials_complete", "not_accepted")

_ENV = jinja2.Environment(undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True, autoescape=False)


class Template(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subject: str
    body: str


class LanguageTemplates(BaseModel):
    model_config = ConfigDict(extra="forbid")
    missing_materials: Template
    materials_complete: Template
    not_accepted: Template


class NoticeTemplates(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: str
    reply_within_days: int = Field(gt=0)
    en: LanguageTemplates
    zh: LanguageTemplates


class Notice(BaseModel):
    kind: NoticeKind
    language: Language
    subject: str
    body: str
    reply_by: date | None  # the date we ask the customer to answer by (None: nothing to answer)
    templates_version: str


_SAMPLE_CONTEXT: dict[str, Any] = {
    "claim_number": "C-1",
    "claimant": "A",
    "policy_number": "P-1",
    "gaps": [{"name": "n", "instruction": "i", "status": "missing", "reasons": ["r"]}],
    "unreadable_files": ["f"],
    "reply_by": "d",
    "reasons": ["r"],
}


def _problems(t: NoticeTemplates) -> list[Problem]:
    """Every template must compile and render with the variables the code supplies."""
    problems: list[Problem] = []
    for language in ("en", "zh"):
        for kind in KINDS:
            for part in ("subject", "body"):
                source = getattr(getattr(getattr(t, language), kind), part)
                try:
                    _ENV.from_string(source).render(**_SAMPLE_CONTEXT)
                except jinja2.TemplateSyntaxError as exc:
                    problems.append(((language, kind, part), f"template line {exc.lineno}: {exc.message}"))
                except jinja2.UndefinedError as exc:
                    problems.append(((language, kind, part), f"{exc.message} (known: {', '.join(sorted(_SAMPLE_CONTEXT))})"))
    return problems


def load_notice_templates(path: Path | None = None) -> NoticeTemplates:
    templates, _ = load_yaml_model(path or config_dir() / "notices" / "notices.yaml", NoticeTemplates, _problems)
    return templates


@lru_cache(maxsize=1)
def _default_templates() -> NoticeTemplates:
    return load_notice_templates()


def _long_date(d: date, language: Language) -> str:
    return f"{d.day} {d:%B} {d.year}" if language == "en" else f"{d.year}年{d.month}月{d.day}日"


def notice_kind(result: ChecklistResult) -> NoticeKind | None:
    """Which notice this result calls for; None while a person must first decide undecided readings."""
    outcome = result.acceptance.outcome
    if outcome == "not_accepted":
        return "not_accepted"
    if outcome == "pending_documents":
        return "missing_materials"
    if outcome == "accepted":
        return "materials_complete"
    return None


def render_notice(
    result: ChecklistResult,
    dossier: Dossier,
    language: Language | None = None,
    issued_at: datetime | None = None,
    templates: NoticeTemplates | None = None,
) -> Notice | None:
    """The notice for this result, in the claim's language unless told otherwise.

    Returns None when the claim waits on a person (``pending_review``): we neither ask the
    customer for something they may have sent nor tell them the materials are complete.
    """
    kind = notice_kind(result)
    if kind is None:
        return None
    language = language or dossier.fnol.language
    templates = templates or _default_templates()
    issued = (issued_at or dossier.received_at).date()
    reply_by = issued + timedelta(days=templates.reply_within_days) if kind != "materials_complete" else None
    context = {
        "claim_number": dossier.claim_number,
        "claimant": dossier.fnol.claimant_name,
        "policy_number": dossier.fnol.policy_number,
        "gaps": [
            {
                "name": item.name(language),
                "instruction": item.instruction(language),
                "status": item.status,
                "reasons": [r.message(language) for r in item.reasons if r.code != "document_missing"],
            }
            for item in result.gaps
        ],
        "unreadable_files": [r.message(language) for f in result.unreadable_files for r in f.reasons],
        "reply_by": _long_date(reply_by, language) if reply_by else "",
        "reasons": [r.message(language) for r in result.acceptance.reasons],
    }
    template = getattr(getattr(templates, language), kind)
    return Notice(
        kind=kind,
        language=language,
        subject=_ENV.from_string(template.subject).render(**context).strip(),
        body=_ENV.from_string(template.body).render(**context).strip() + "\n",
        reply_by=reply_by,
        templates_version=templates.version,
    )
