"""Judging: which facts a judgement depends on, and the rules that judge them (pure functions)."""
