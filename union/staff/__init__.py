"""Staff of the member branches: accounts, sign-in, sessions, API tokens, and the staff
pages and JSON API through which a branch's staff work the sync protocol.

    accounts   staff accounts per branch, argon2 password hashes (rehashed when the
               parameters change)
    tokens     API tokens per branch for scripts (stored as digests)
    sessions   server-side sessions with expiry and a CSRF synchronizer token
    throttle   sign-in rate limiting per branch, username and address
    commands   the ``union staff`` verbs
    guard      who is asking, and the one rule: staff act only for their own branch
    pages      the HTML pages under /staf/
    api        the JSON API under /api/staf/
    app        ``setup(app, context)``: both mounted on the web node
"""
