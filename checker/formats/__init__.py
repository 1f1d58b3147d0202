"""Output formats: each renders a stream of findings and the run's summary for one audience."""
