"""The sync protocol's store-backed edges: branch nodes, the hub, its HTTP routes, the
branch agent, USB bundles, audit verification and the staff service API.

    service    what staff see and do, acting as one branch (the web pages' and CLI's API)
    node       a branch's state, outbox, inbox, audit log and custody in the store
    hub        the city library's durable mailbox, and its copy of every branch's custody
    catalogue  union holdings and custody as the protocol sees them
    hub_holdings  the union holdings fetched from the hub, for a village's staff desk
    conflicts  harvests still listing copies transferred away
"""
