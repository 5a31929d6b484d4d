"""Sync: the branch-to-branch protocol for reserving, lending and transferring items.

A leaf package: it knows nothing of search or harvest. Where it needs catalogue facts (who
owns an item, which branches hold a title) it declares a protocol in ``sync.catalogue`` that
the union package implements. Everything here is pure: no network, no database, and no clock
unless one is passed in; the hub mailbox, storage and timers are edges built on top.

    messages             the envelope and ISO 18626 vocabulary; canonical bytes to sign
    signing              Ed25519 signatures and the registry of branch keys
    sequencing           per-origin numbering, exactly-once in-order inbox, acknowledgements
    custody              where one copy is, written by its owner alone
    loan_request         one requester asking one supplier, both sides' copies of the leg
    rota                 a patron request walked along candidate lenders
    transfer             permanent transfers of one item or a batch
    authority            what the hub lets each branch say
    custody_ledger       the hub's copy of every item's custody, following what it relays
    audit                the hash-chained log of every message a branch sent or applied
    branch               one branch's commands and message handling, composing the above
    state_codec          a branch's state as versioned JSON, for its edge to save
    simulation_config    what a simulated run is asked for: size, hostility, length
    simulated_federation branches and a hub in memory, over a lossy, duplicating network
    simulation           a seeded run of that federation: staff work, syncs, invariants checked
    invariants           what the protocol promises, checked over the branches
"""
