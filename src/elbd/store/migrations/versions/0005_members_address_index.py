"""members address index: a new VIP is checked against every member's address

Revision ID: 0005
Revises: 0004
"""

from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_members_address', 'members', ['address'])


def downgrade() -> None:
    op.drop_index('ix_members_address', table_name='members')
