"""each member's last health transitions (member_health_events), the elbd-health-timeline extension

Revision ID: 0015
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'member_health_events',
        sa.Column('id', sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column('member_id', sa.String(36), sa.ForeignKey('members.id', ondelete='CASCADE'), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('from_status', sa.String(16), nullable=True),
        sa.Column('to_status', sa.String(16), nullable=True),
        sa.Column('reason_code', sa.String(32), nullable=True),
        sa.Column('expected_response', sa.String(64), nullable=True),
        sa.Column('healthcheck_response', sa.String(64), nullable=True),
    )
    op.create_index('ix_member_health_events_member', 'member_health_events', ['member_id', 'id'])


def downgrade() -> None:
    op.drop_index('ix_member_health_events_member', 'member_health_events')
    op.drop_table('member_health_events')
