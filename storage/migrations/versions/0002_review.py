"""review stage: desk users, decisions, denial letters, investigations, document
requests, queue escalations

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 17:00:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
Money = sa.Numeric(precision=14, scale=2)
When = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(80), nullable=False),
        sa.Column("display_name", sa.String(120), nullable=False),
        sa.Column("role", sa.String(30), nullable=False),
        sa.Column("password_hash", sa.String(100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", When, nullable=False),
    )
    op.create_index("ix_users_username", "users", ["username"], unique=True)

    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("claim_id", sa.Integer(), sa.ForeignKey("claims.id"), nullable=False),
        sa.Column("queue_item_id", sa.Integer(), sa.ForeignKey("queue_items.id"), nullable=True),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("claimed_amount", Money, nullable=False),
        sa.Column("assessed_amount", Money, nullable=True),
        sa.Column("payable_amount", Money, nullable=True),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("breakdown", Json, nullable=True),
        sa.Column("reason_code", sa.String(40), nullable=True),
        sa.Column("clause", sa.String(200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(80), nullable=False),
        sa.Column("decided_role", sa.String(30), nullable=False),
        sa.Column("decided_at", When, nullable=False),
    )
    op.create_index("ix_decisions_claim_id", "decisions", ["claim_id"])

    op.create_table(
        "denial_letters",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("claim_id", sa.Integer(), sa.ForeignKey("claims.id"), nullable=False),
        sa.Column("decision_id", sa.Integer(), sa.ForeignKey("decisions.id"), nullable=False),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("reason_code", sa.String(40), nullable=False),
        sa.Column("clause", sa.String(200), nullable=False),
        sa.Column("appeal_route", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", When, nullable=False),
    )
    op.create_index("ix_denial_letters_claim_id", "denial_letters", ["claim_id"])

    op.create_table(
        "investigations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("claim_id", sa.Integer(), sa.ForeignKey("claims.id"), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(30), nullable=True),
        sa.Column("opened_by", sa.String(80), nullable=False),
        sa.Column("opened_at", When, nullable=False),
        sa.Column("closed_by", sa.String(80), nullable=True),
        sa.Column("closed_at", When, nullable=True),
    )
    op.create_index("ix_investigations_claim_id", "investigations", ["claim_id"])

    op.create_table(
        "document_requests",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("claim_id", sa.Integer(), sa.ForeignKey("claims.id"), nullable=False),
        sa.Column("doc_types", Json, nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("requested_by", sa.String(80), nullable=False),
        sa.Column("outbox_id", sa.Integer(), sa.ForeignKey("outbox.id"), nullable=True),
        sa.Column("requested_at", When, nullable=False),
    )
    op.create_index("ix_document_requests_claim_id", "document_requests", ["claim_id"])

    op.create_table(
        "queue_escalations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("queue_item_id", sa.Integer(), sa.ForeignKey("queue_items.id"), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("from_queue", sa.String(40), nullable=False),
        sa.Column("to_queue", sa.String(40), nullable=False),
        sa.Column("priority_before", sa.Integer(), nullable=False),
        sa.Column("priority_after", sa.Integer(), nullable=False),
        sa.Column("deadline_before", When, nullable=False),
        sa.Column("deadline_after", When, nullable=False),
        sa.Column("at", When, nullable=False),
    )
    op.create_index("ix_queue_escalations_queue_item_id", "queue_escalations", ["queue_item_id"])


def downgrade() -> None:
    for table in ("queue_escalations", "document_requests", "investigations", "denial_letters", "decisions", "users"):
        op.drop_table(table)
