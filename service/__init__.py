"""The HTTP service: API, search page and embeddable widget."""

from service.app import create_app

__all__ = ["create_app"]
