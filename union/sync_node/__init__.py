"""The sync protocol's store-backed edges: branch nodes, the hub, its HTTP routes, the
branch agent, USB bundles, audit verification and the staff service API.

    service    what staff see and do, acting as one branch (the web pages' and CLI's API)
    node       a branch's state, outbox, inbox, audit log and custody in the store
    hub        the city library's durable mailbox
    catalogue  union holdings and custody as the protocol sees them
    conflicts  harvests still listing copies transferred away
"""
