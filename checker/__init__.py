"""sanctuary-check: screen vendors, payments and holdings against sanctuary-contracting ordinances."""

__version__ = "0.1.0"
