"""Tools for the knowledge files: registry lint, matcher evaluation, rule-set tests."""
