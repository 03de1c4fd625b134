"""Helpers shared by the CLI commands: service errors become clean messages and exit codes."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

from app.services.errors import ServiceError

F = TypeVar("F", bound=Callable[..., Any])


def service_errors(func: F) -> F:
    """Print a :class:`ServiceError` in both languages and exit 1 instead of a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ServiceError as exc:
            raise click.ClickException(f"{exc.message_id}\n  ({exc.message_en})") from exc

    return wrapper  # type: ignore[return-value]
