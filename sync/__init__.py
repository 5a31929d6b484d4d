"""Sync: the branch-to-branch protocol for reserving, lending and transferring items.

A leaf package: it knows nothing of search or harvest. Where it needs catalogue facts (who
owns an item, which branches hold a title) it declares a protocol in ``sync.catalogue`` that
the union package implements. Everything here is pure: no network, no database, and no clock
unless one is passed in; the hub mailbox, storage and timers are edges built on top.
"""
