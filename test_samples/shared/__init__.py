"""Code the samples share (run them from ``test_samples/`` or with it on ``sys.path``)."""

from .start_server import start_server

__all__ = ["start_server"]
