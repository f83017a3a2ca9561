"""the recycle bin: each project's setting and policy, and the deleted load balancers it holds

Revision ID: 0019
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'recycle_bin_settings',
        sa.Column('project_id', sa.String(32), sa.ForeignKey('projects.id'), primary_key=True),
        sa.Column('enable', sa.Boolean(), nullable=False),
        sa.Column('retention_hour', sa.Integer(), nullable=False),
        sa.Column('recycle_threshold_hour', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
    )
    op.create_table(
        'recycled_loadbalancers',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('project_id', sa.String(32), nullable=False),
        sa.Column('name', sa.String(255), nullable=False),
        sa.Column('vpc_id', sa.String(36), nullable=False),
        sa.Column('vip_subnet_cidr_id', sa.String(36), nullable=True),
        sa.Column('vip_address', sa.String(64), nullable=True),
        sa.Column('ipv6_vip_virsubnet_id', sa.String(36), nullable=True),
        sa.Column('ipv6_vip_address', sa.String(64), nullable=True),
        sa.Column('rows', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('recycled_at', sa.DateTime(), nullable=False),
        sa.Column('auto_terminate_at', sa.DateTime(), nullable=False),
    )
    op.create_index('ux_recycled_loadbalancers_vip_address', 'recycled_loadbalancers', ['vip_address'], unique=True)
    op.create_index('ux_recycled_loadbalancers_ipv6_vip_address', 'recycled_loadbalancers', ['ipv6_vip_address'], unique=True)
    op.create_index('ix_recycled_loadbalancers_page', 'recycled_loadbalancers', ['project_id', 'created_at', 'id'])
    op.create_index(op.f('ix_recycled_loadbalancers_auto_terminate_at'), 'recycled_loadbalancers', ['auto_terminate_at'])


def downgrade() -> None:
    op.drop_table('recycled_loadbalancers')
    op.drop_table('recycle_bin_settings')
