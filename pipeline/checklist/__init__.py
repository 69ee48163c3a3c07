"""The required-documents checklist: config, verification, acceptance, the one notice, deadlines.

Typical use (the flow)::

    checklists, settings = load_checklists(), load_settings()      # at start-up: fails loudly
    result = verify(dossier, checklists.for_claim(line, incident), settings)
    notice = render_notice(result, dossier)                         # None while a person decides
"""
from pipeline.checklist.config import ChecklistConfigError, ChecklistSet, ChecklistSettings, load_checklists, load_settings
from pipeline.checklist.deadlines import DeadlineCheck, deadline_report, load_deadlines
from pipeline.checklist.notice import Notice, load_notice_templates, render_notice
from pipeline.checklist.result import ChecklistResult, Evidence, Finding, ItemResult
from pipeline.checklist.verify import verify

__all__ = [
    "ChecklistConfigError",
    "ChecklistResult",
    "ChecklistSet",
    "ChecklistSettings",
    "DeadlineCheck",
    "Evidence",
    "Finding",
    "ItemResult",
    "Notice",
    "deadline_report",
    "load_checklists",
    "load_deadlines",
    "load_notice_templates",
    "load_settings",
    "render_notice",
    "verify",
]
