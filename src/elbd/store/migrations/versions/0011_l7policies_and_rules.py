"""forwarding policies and rules, and the listeners' enhance_l7policy_enable

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('listeners') as table:
        table.add_column(sa.Column('enhance_l7policy_enable', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        'l7policies',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('project_id', sa.String(32), nullable=False),
        sa.Column('listener_id', sa.String(36), sa.ForeignKey('listeners.id'), nullable=False),
        sa.Column('name', sa.String(255), nullable=False),
        sa.Column('description', sa.String(255), nullable=False),
        sa.Column('action', sa.String(32), nullable=False),
        sa.Column('priority', sa.Integer(), nullable=False),
        sa.Column('admin_state_up', sa.Boolean(), nullable=False),
        sa.Column('provisioning_status', sa.String(16), nullable=False),
        sa.Column('redirect_pool_id', sa.String(36), sa.ForeignKey('pools.id'), nullable=True),
        sa.Column('redirect_listener_id', sa.String(36), sa.ForeignKey('listeners.id'), nullable=True),
        sa.Column('redirect_pools_config', sa.JSON(), nullable=False),
        sa.Column('redirect_pools_sticky_session_config', sa.JSON(), nullable=True),
        sa.Column('redirect_url_config', sa.JSON(), nullable=True),
        sa.Column('fixed_response_config', sa.JSON(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
    )
    op.create_index('ix_l7policies_page', 'l7policies', ['project_id', 'created_at', 'id'])
    op.create_index('ix_l7policies_listener_id', 'l7policies', ['listener_id'])
    op.create_index('ix_l7policies_redirect_pool_id', 'l7policies', ['redirect_pool_id'])
    op.create_index('ix_l7policies_redirect_listener_id', 'l7policies', ['redirect_listener_id'])
    op.create_table(
        'l7rules',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('project_id', sa.String(32), nullable=False),
        sa.Column('l7policy_id', sa.String(36), sa.ForeignKey('l7policies.id', ondelete='CASCADE'), nullable=False),
        sa.Column('type', sa.String(16), nullable=False),
        sa.Column('compare_type', sa.String(16), nullable=False),
        sa.Column('key', sa.String(128), nullable=True),
        sa.Column('value', sa.String(128), nullable=False),
        sa.Column('conditions', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
    )
    op.create_index('ix_l7rules_policy_page', 'l7rules', ['l7policy_id', 'created_at', 'id'])
    op.create_index('ix_l7rules_project_page', 'l7rules', ['project_id', 'created_at', 'id'])


def downgrade() -> None:
    op.drop_index('ix_l7rules_project_page', 'l7rules')
    op.drop_index('ix_l7rules_policy_page', 'l7rules')
    op.drop_table('l7rules')
    op.drop_index('ix_l7policies_redirect_listener_id', 'l7policies')
    op.drop_index('ix_l7policies_redirect_pool_id', 'l7policies')
    op.drop_index('ix_l7policies_listener_id', 'l7policies')
    op.drop_index('ix_l7policies_page', 'l7policies')
    op.drop_table('l7policies')
    with op.batch_alter_table('listeners') as table:
        table.drop_column('enhance_l7policy_enable')
