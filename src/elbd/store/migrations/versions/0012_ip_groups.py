"""IP address groups, and the listeners' access control by them

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'ip_groups',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('project_id', sa.String(32), nullable=False),
        sa.Column('name', sa.String(255), nullable=False),
        sa.Column('description', sa.String(255), nullable=False),
        sa.Column('ip_list', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
    )
    op.create_index('ix_ip_groups_page', 'ip_groups', ['project_id', 'created_at', 'id'])
    op.create_table(
        'listener_ip_groups',
        sa.Column('listener_id', sa.String(36), sa.ForeignKey('listeners.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('ipgroup_id', sa.String(36), sa.ForeignKey('ip_groups.id'), primary_key=True),
        sa.Column('position', sa.Integer(), nullable=False),
    )
    op.create_index('ix_listener_ip_groups_ipgroup_id', 'listener_ip_groups', ['ipgroup_id'])
    with op.batch_alter_table('listeners') as table:
        table.add_column(sa.Column('ipgroup_enable', sa.Boolean(), nullable=True))
        table.add_column(sa.Column('ipgroup_type', sa.String(8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('listeners') as table:
        table.drop_column('ipgroup_type')
        table.drop_column('ipgroup_enable')
    op.drop_index('ix_listener_ip_groups_ipgroup_id', 'listener_ip_groups')
    op.drop_table('listener_ip_groups')
    op.drop_index('ix_ip_groups_page', 'ip_groups')
    op.drop_table('ip_groups')
