"""Input sources: each gives a file's header, then its data rows in chunks (see ``base.Source``)."""
