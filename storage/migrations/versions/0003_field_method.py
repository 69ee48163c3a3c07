"""extracted fields record how they were found (beside the label, below it, by pattern or
position, or agreed with the claim), so a reviewer sees why a value is as sure as it is

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 07:15:00
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("extracted_fields", sa.Column("method", sa.String(20), nullable=False, server_default=""))


def downgrade() -> None:
    op.drop_column("extracted_fields", "method")
