"""The union catalogue: store, normalization, de-duplication, search, feed, and the
composition root that wires the harvesters and the sync protocol in."""
