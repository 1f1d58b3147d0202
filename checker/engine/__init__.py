"""The engine: the only stage that knows about speed (chunks, memos, bulk tallies)."""
