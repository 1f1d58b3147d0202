"""Input sources: each turns a file into a stream of records and skipped rows."""
