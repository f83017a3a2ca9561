"""The clocks of a lease, and why they are these.

A node renews its leases every RENEW_EVERY_S; a renewal sets `lease_until` to the database's time at the
start of the renewal's transaction plus LEASE_S. The node measures FENCE_AFTER_S on its own monotonic
clock from the moment it *began* that renewal (before the database read its clock, so the node's
deadline always falls before the lease's end); past it without another renewal, the node fences itself
(its fence watch, a process apart, stops its engines and drops its VIPs). FENCE_MARGIN_S is what is left
between the fence and the earliest moment another node can claim the lease: time to stop HAProxy and
nginx (SIGTERM, they stop at once) and to absorb a clock rate difference.

Failover bound, from the last renewal to traffic on the new node: LEASE_S (the lease runs out)
+ RENEW_EVERY_S (the next look of a live node) + the time to start the engine (a few hundred ms):
about 2.4 s plus the start. A node misses two renewals before it fences (three would be 1.2 s): a
busy machine's scheduling hiccup does not fence a healthy node, a dead one is replaced within 3 s.
"""

LEASE_S = 2.0
RENEW_EVERY_S = 0.4
FENCE_AFTER_S = 1.4
FENCE_MARGIN_S = LEASE_S - FENCE_AFTER_S
FAILOVER_BOUND_S = 3.0  # what the failover tests assert, from the last renewal to the VIP answering elsewhere
