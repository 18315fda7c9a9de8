"""Access events as webhooks (SPEC 19): Heroku-compatible app webhooks and team-wide event streams.

Layers: ``models`` (tables and vocabulary), ``payloads`` and ``selectors`` (reads), ``outbox`` (events written
by ``audit.log.record`` in the change's transaction, delivery queued after commit), ``targets`` / ``delivery`` /
``tasks`` (the worker's side), ``services`` (add, update, remove, ping); the API and pages sit on top.
"""
