"""on-demand member checks (member_check_jobs), and the listeners' cps and connection limits

Revision ID: 0013
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('listeners') as table:
        table.add_column(sa.Column('cps', sa.Integer(), nullable=False, server_default='0'))
        table.add_column(sa.Column('connection', sa.Integer(), nullable=False, server_default='0'))
    op.create_table(
        'member_check_jobs',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('project_id', sa.String(32), nullable=False),
        sa.Column('member_id', sa.String(36), nullable=False),
        sa.Column('listener_id', sa.String(36), nullable=False),
        sa.Column('subject', sa.String(16), nullable=False),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('reason_code', sa.String(32), nullable=True),
        sa.Column('expected_response', sa.String(64), nullable=True),
        sa.Column('healthcheck_response', sa.String(16), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
    )
    op.create_index('ix_member_check_jobs_created_at', 'member_check_jobs', ['created_at'])


def downgrade() -> None:
    op.drop_index('ix_member_check_jobs_created_at', 'member_check_jobs')
    op.drop_table('member_check_jobs')
    with op.batch_alter_table('listeners') as table:
        table.drop_column('connection')
        table.drop_column('cps')
