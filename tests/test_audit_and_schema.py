"""The schema migrates on both databases and the audit trail is append-only."""
import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import DBAPIError

from storage import audit
from storage.db import migrate
from storage.models import AuditEvent, AuditTrailIsAppendOnly


def test_migrations_create_every_table_and_run_twice(db_url, db):
    migrate(db_url)  # a second upgrade is a no-op
    tables = set(inspect(db.engine).get_table_names())
    assert {"claims", "policies", "documents", "pages", "extracted_fields", "checklist_items", "risk_scores",
            "queue_items", "outbox", "audit_events"} <= tables


def test_the_application_cannot_edit_or_delete_audit_events(db):
    with db.session() as s:
        ev = audit.record(s, None, "tester", "something_happened", None, {"x": 1})
    with pytest.raises(AuditTrailIsAppendOnly):
        with db.session() as s:
            s.get(AuditEvent, ev.id).action = "rewritten"
    with pytest.raises(AuditTrailIsAppendOnly):
        with db.session() as s:
            s.delete(s.get(AuditEvent, ev.id))


def test_the_database_itself_refuses_audit_updates(db):
    with db.session() as s:
        ev = audit.record(s, None, "tester", "something_happened")
    with pytest.raises(DBAPIError, match="append-only"):
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE audit_events SET action = 'x' WHERE id = :id"), {"id": ev.id})
    with db.session() as s:
        assert s.scalar(select(AuditEvent.action).where(AuditEvent.id == ev.id)) == "something_happened"
