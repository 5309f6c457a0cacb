"""hemasim: a mechanistic simulator of the blood-forming system."""

__version__ = "0.1.0"
