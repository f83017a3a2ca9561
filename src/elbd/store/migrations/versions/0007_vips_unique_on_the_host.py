"""VIPs unique on the host: every load balancer binds in the host's one network namespace

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

from elbd.store.refusal import StoreRefused

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    for column in ('vip_address', 'ipv6_vip_address'):
        shared = op.get_bind().execute(
            sa.text(f'SELECT {column} FROM loadbalancers WHERE {column} IS NOT NULL GROUP BY {column} HAVING count(*) > 1')
        ).scalars().all()
        if shared:
            raise StoreRefused(
                f"load balancers share the VIPs {', '.join(shared)}, and so share their traffic: delete all but one "
                "load balancer of each VIP with the elbd that made them, then start this one"
            )
    op.create_index('ux_loadbalancers_vip_address', 'loadbalancers', ['vip_address'], unique=True)
    op.create_index('ux_loadbalancers_ipv6_vip_address', 'loadbalancers', ['ipv6_vip_address'], unique=True)


def downgrade() -> None:
    op.drop_index('ux_loadbalancers_ipv6_vip_address', table_name='loadbalancers')
    op.drop_index('ux_loadbalancers_vip_address', table_name='loadbalancers')
