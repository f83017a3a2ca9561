"""Several data-plane nodes on one PostgreSQL database: leases with a fencing epoch, failover, fencing."""
