"""The demo branch feed: a small OAI-PMH 2.0 server publishing a MARC file, standing in for
a branch's Koha or SLiMS in the demo, the tests and the benchmarks. :mod:`.marc_index`
indexes the file, :mod:`.rendering` renders one record as metadata, :mod:`.server` answers
the protocol."""
