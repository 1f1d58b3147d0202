"""Matching vendor names to registry entities: normalise, pair words, prefilter, score."""
