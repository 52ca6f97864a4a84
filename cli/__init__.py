"""The ``practice-search`` command: a face over the library, beside ``service``."""

from cli.main import main

__all__ = ["main"]
