"""Compare two JSON audit reports: new, resolved and changed findings per vendor, and the dollar change per family.

``report.read_report`` reads a report written by ``sanctuary-check audit FILE --format json``;
``diff.compare_reports`` is the pure diff of two of them; ``writers.FORMATS`` names its formats (table, markdown,
html, json) and ``writers.write`` writes one. Nothing is imported here, so that the command line can list the
formats without loading the matcher's word lists.
"""
