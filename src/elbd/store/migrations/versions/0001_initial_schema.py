"""initial schema

Revision ID: 0001
Revises: 
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('projects',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('domain_name', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('servers',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('project_id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('servers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_servers_project_id'), ['project_id'], unique=False)

    op.create_table('vpcs',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('project_id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('description', sa.String(length=255), nullable=False),
    sa.Column('cidr', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('vpcs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vpcs_project_id'), ['project_id'], unique=False)

    op.create_table('loadbalancers',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('project_id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('description', sa.String(length=255), nullable=False),
    sa.Column('vpc_id', sa.String(length=36), nullable=False),
    sa.Column('vip_subnet_cidr_id', sa.String(length=36), nullable=True),
    sa.Column('vip_address', sa.String(length=64), nullable=True),
    sa.Column('vip_port_id', sa.String(length=36), nullable=True),
    sa.Column('ipv6_vip_virsubnet_id', sa.String(length=36), nullable=True),
    sa.Column('ipv6_vip_address', sa.String(length=64), nullable=True),
    sa.Column('ipv6_vip_port_id', sa.String(length=36), nullable=True),
    sa.Column('elb_virsubnet_ids', sa.JSON(), nullable=False),
    sa.Column('availability_zone_list', sa.JSON(), nullable=False),
    sa.Column('ip_target_enable', sa.Boolean(), nullable=False),
    sa.Column('admin_state_up', sa.Boolean(), nullable=False),
    sa.Column('deletion_protection_enable', sa.Boolean(), nullable=False),
    sa.Column('provisioning_status', sa.String(length=16), nullable=False),
    sa.Column('operating_status', sa.String(length=16), nullable=False),
    sa.Column('l4_flavor_id', sa.String(length=36), nullable=True),
    sa.Column('l7_flavor_id', sa.String(length=36), nullable=True),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('protection_status', sa.String(length=32), nullable=False),
    sa.Column('protection_reason', sa.String(length=255), nullable=True),
    sa.Column('enterprise_project_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['vpc_id'], ['vpcs.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ipv6_vip_virsubnet_id', 'ipv6_vip_address'),
    sa.UniqueConstraint('vip_subnet_cidr_id', 'vip_address')
    )
    with op.batch_alter_table('loadbalancers', schema=None) as batch_op:
        batch_op.create_index('ix_loadbalancers_page', ['project_id', 'created_at', 'id'], unique=False)

    op.create_table('quota_overrides',
    sa.Column('project_id', sa.String(length=32), nullable=False),
    sa.Column('resource', sa.String(length=64), nullable=False),
    sa.Column('limit', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], ),
    sa.PrimaryKeyConstraint('project_id', 'resource')
    )
    op.create_table('subnets',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('project_id', sa.String(length=32), nullable=False),
    sa.Column('vpc_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('description', sa.String(length=255), nullable=False),
    sa.Column('cidr', sa.String(length=64), nullable=False),
    sa.Column('gateway_ip', sa.String(length=64), nullable=False),
    sa.Column('neutron_subnet_id', sa.String(length=36), nullable=False),
    sa.Column('cidr_v6', sa.String(length=64), nullable=True),
    sa.Column('gateway_ip_v6', sa.String(length=64), nullable=True),
    sa.Column('neutron_subnet_id_v6', sa.String(length=36), nullable=True),
    sa.Column('availability_zone', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['vpc_id'], ['vpcs.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('neutron_subnet_id'),
    sa.UniqueConstraint('neutron_subnet_id_v6')
    )
    with op.batch_alter_table('subnets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subnets_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subnets_vpc_id'), ['vpc_id'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('project_id', sa.String(length=32), nullable=False),
    sa.Column('domain_name', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('domain_name', 'name')
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_project_id'), ['project_id'], unique=False)

    op.create_table('access_keys',
    sa.Column('access_key', sa.String(length=64), nullable=False),
    sa.Column('project_id', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('secret_key', sa.String(length=128), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('access_key')
    )
    with op.batch_alter_table('access_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_keys_project_id'), ['project_id'], unique=False)

    op.create_table('pools',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('project_id', sa.String(length=32), nullable=False),
    sa.Column('loadbalancer_id', sa.String(length=36), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('description', sa.String(length=255), nullable=False),
    sa.Column('protocol', sa.String(length=16), nullable=False),
    sa.Column('lb_algorithm', sa.String(length=32), nullable=False),
    sa.Column('ip_version', sa.String(length=16), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('vpc_id', sa.String(length=36), nullable=False),
    sa.Column('admin_state_up', sa.Boolean(), nullable=False),
    sa.Column('member_deletion_protection_enable', sa.Boolean(), nullable=False),
    sa.Column('any_port_enable', sa.Boolean(), nullable=False),
    sa.Column('session_persistence', sa.JSON(), nullable=True),
    sa.Column('slow_start', sa.JSON(), nullable=False),
    sa.Column('connection_drain', sa.JSON(), nullable=False),
    sa.Column('pool_health', sa.JSON(), nullable=False),
    sa.Column('protection_status', sa.String(length=32), nullable=False),
    sa.Column('protection_reason', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['loadbalancer_id'], ['loadbalancers.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('pools', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pools_loadbalancer_id'), ['loadbalancer_id'], unique=False)
        batch_op.create_index('ix_pools_page', ['project_id', 'created_at', 'id'], unique=False)

    op.create_table('server_nics',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('server_id', sa.String(length=36), nullable=False),
    sa.Column('subnet_id', sa.String(length=36), nullable=False),
    sa.Column('ip_address', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['server_id'], ['servers.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subnet_id'], ['subnets.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('subnet_id', 'ip_address')
    )
    with op.batch_alter_table('server_nics', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_server_nics_ip_address'), ['ip_address'], unique=False)
        batch_op.create_index(batch_op.f('ix_server_nics_server_id'), ['server_id'], unique=False)

    op.create_table('tokens',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('project_id', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('token_hash')
    )
    with op.batch_alter_table('tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tokens_project_id'), ['project_id'], unique=False)

    op.create_table('healthmonitors',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('project_id', sa.String(length=32), nullable=False),
    sa.Column('pool_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('delay', sa.Integer(), nullable=False),
    sa.Column('timeout', sa.Integer(), nullable=False),
    sa.Column('max_retries', sa.Integer(), nullable=False),
    sa.Column('max_retries_down', sa.Integer(), nullable=False),
    sa.Column('monitor_port', sa.Integer(), nullable=True),
    sa.Column('url_path', sa.String(length=80), nullable=False),
    sa.Column('http_method', sa.String(length=16), nullable=False),
    sa.Column('domain_name', sa.String(length=100), nullable=True),
    sa.Column('expected_codes', sa.String(length=64), nullable=False),
    sa.Column('admin_state_up', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['pool_id'], ['pools.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('pool_id')
    )
    with op.batch_alter_table('healthmonitors', schema=None) as batch_op:
        batch_op.create_index('ix_healthmonitors_page', ['project_id', 'created_at', 'id'], unique=False)

    op.create_table('listeners',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('project_id', sa.String(length=32), nullable=False),
    sa.Column('loadbalancer_id', sa.String(length=36), nullable=False),
    sa.Column('default_pool_id', sa.String(length=36), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('description', sa.String(length=255), nullable=False),
    sa.Column('protocol', sa.String(length=16), nullable=False),
    sa.Column('protocol_port', sa.Integer(), nullable=False),
    sa.Column('transport', sa.String(length=3), nullable=False),
    sa.Column('admin_state_up', sa.Boolean(), nullable=False),
    sa.Column('http2_enable', sa.Boolean(), nullable=False),
    sa.Column('keepalive_timeout', sa.Integer(), nullable=False),
    sa.Column('client_timeout', sa.Integer(), nullable=True),
    sa.Column('member_timeout', sa.Integer(), nullable=True),
    sa.Column('default_tls_container_ref', sa.String(length=128), nullable=True),
    sa.Column('client_ca_tls_container_ref', sa.String(length=128), nullable=True),
    sa.Column('sni_container_refs', sa.JSON(), nullable=False),
    sa.Column('tls_ciphers_policy', sa.String(length=64), nullable=True),
    sa.Column('enable_member_retry', sa.Boolean(), nullable=False),
    sa.Column('insert_headers', sa.JSON(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('protection_status', sa.String(length=32), nullable=False),
    sa.Column('protection_reason', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['default_pool_id'], ['pools.id'], ),
    sa.ForeignKeyConstraint(['loadbalancer_id'], ['loadbalancers.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('loadbalancer_id', 'transport', 'protocol_port')
    )
    with op.batch_alter_table('listeners', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_listeners_default_pool_id'), ['default_pool_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_listeners_loadbalancer_id'), ['loadbalancer_id'], unique=False)
        batch_op.create_index('ix_listeners_page', ['project_id', 'created_at', 'id'], unique=False)

    op.create_table('members',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('project_id', sa.String(length=32), nullable=False),
    sa.Column('pool_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('protocol_port', sa.Integer(), nullable=False),
    sa.Column('subnet_cidr_id', sa.String(length=36), nullable=True),
    sa.Column('ip_version', sa.String(length=2), nullable=False),
    sa.Column('member_type', sa.String(length=16), nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=False),
    sa.Column('availability_zone', sa.String(length=64), nullable=False),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.Column('health_status', sa.String(length=16), nullable=True),
    sa.Column('reason_code', sa.String(length=32), nullable=True),
    sa.Column('expected_response', sa.String(length=64), nullable=True),
    sa.Column('healthcheck_response', sa.String(length=64), nullable=True),
    sa.Column('health_changed_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['pool_id'], ['pools.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('pool_id', 'address', 'protocol_port', name='uq_members_pool_address_port')
    )
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.create_index('ix_members_pool_page', ['pool_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_members_project_page', ['project_id', 'created_at', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_index('ix_members_project_page')
        batch_op.drop_index('ix_members_pool_page')

    op.drop_table('members')
    with op.batch_alter_table('listeners', schema=None) as batch_op:
        batch_op.drop_index('ix_listeners_page')
        batch_op.drop_index(batch_op.f('ix_listeners_loadbalancer_id'))
        batch_op.drop_index(batch_op.f('ix_listeners_default_pool_id'))

    op.drop_table('listeners')
    with op.batch_alter_table('healthmonitors', schema=None) as batch_op:
        batch_op.drop_index('ix_healthmonitors_page')

    op.drop_table('healthmonitors')
    with op.batch_alter_table('tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tokens_project_id'))

    op.drop_table('tokens')
    with op.batch_alter_table('server_nics', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_server_nics_server_id'))
        batch_op.drop_index(batch_op.f('ix_server_nics_ip_address'))

    op.drop_table('server_nics')
    with op.batch_alter_table('pools', schema=None) as batch_op:
        batch_op.drop_index('ix_pools_page')
        batch_op.drop_index(batch_op.f('ix_pools_loadbalancer_id'))

    op.drop_table('pools')
    with op.batch_alter_table('access_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_keys_project_id'))

    op.drop_table('access_keys')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_project_id'))

    op.drop_table('users')
    with op.batch_alter_table('subnets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subnets_vpc_id'))
        batch_op.drop_index(batch_op.f('ix_subnets_project_id'))

    op.drop_table('subnets')
    op.drop_table('quota_overrides')
    with op.batch_alter_table('loadbalancers', schema=None) as batch_op:
        batch_op.drop_index('ix_loadbalancers_page')

    op.drop_table('loadbalancers')
    with op.batch_alter_table('vpcs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vpcs_project_id'))

    op.drop_table('vpcs')
    with op.batch_alter_table('servers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_servers_project_id'))

    op.drop_table('servers')
    op.drop_table('projects')
