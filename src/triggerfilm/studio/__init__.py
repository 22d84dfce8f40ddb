"""The studio: a local web app to build the film by reading and highlighting the narratives.

A face like the command line: it parses requests, calls the application layer
(``triggerfilm.app``) and presents the result. ``StudioServer`` binds it to the loopback address
with a random key (``run`` serves in this thread, ``start`` in another); see ``security`` for who
may use it and ``server`` for what it serves.
"""

from .run import StudioServer

__all__ = ["StudioServer"]
