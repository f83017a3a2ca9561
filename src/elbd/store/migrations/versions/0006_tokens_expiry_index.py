"""tokens expiry index: issuing a token removes the expired ones

Revision ID: 0006
Revises: 0005
"""

from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_tokens_expires_at', 'tokens', ['expires_at'])


def downgrade() -> None:
    op.drop_index('ix_tokens_expires_at', table_name='tokens')
