"""Harvesters: pull records from branch catalogues (OAI-PMH feeds, MARC files).

A leaf package: it knows nothing of the union catalogue. It yields pages of
``HarvestedRecord`` with a checkpoint; the caller commits each page with its checkpoint.
"""
