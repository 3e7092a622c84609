"""aisclient: a fast, lean, testable Python client for AIStore."""

__version__ = "0.1.0"
