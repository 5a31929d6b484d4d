"""The web node: one aiohttp application serving the catalogue, its API, the OAI-PMH feed
and the sync hub (``union serve``)."""
