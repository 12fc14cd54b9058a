"""``arangoml-meta serve``: ArangoDB's HTTP API over the embedded store.

A team without an ArangoDB server shares one embedded store through this
server, and the ArangoDB backend (python-arango) runs against it unchanged. It
is a single-node team mode: ArangoDB stays the engine for scale-out.

Layout: ``app.py`` builds the ASGI application from the area modules (each
exposes ``ROUTES``, paths relative to a database); ``state.py`` holds the
databases and their connections; ``transactions.py`` the stream transactions;
``context.py`` what a request runs against; ``responses.py`` ArangoDB's
response and error shapes.
"""
