"""The ``triggerfilm`` command; see :mod:`triggerfilm.cli.app`."""

from . import checking, consent, editing, editors, film  # noqa: F401  (registers the commands)
from .app import cli


def main() -> None:
    cli()


__all__ = ["cli", "main"]
