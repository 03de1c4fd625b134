"""Helpers shared by the CLI commands: the reader's language, messages, and service errors.

Every command takes ``--lang id|en`` (default ``id``; added once by :func:`add_lang_option`).
Commands speak through :func:`say`, which renders a :class:`app.messages.Msg` in that language;
a :class:`ServiceError` becomes a clean message in that language and exit code 1.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

from app.messages import LANGUAGES, Lang, Msg, language, render
from app.services.errors import ServiceError

F = TypeVar("F", bound=Callable[..., Any])

_LANG_KEY = "petalapak.lang"


def _remember_lang(ctx: click.Context, _param: click.Parameter, value: str | None) -> str:
    chosen = language(value or "id")
    ctx.meta[_LANG_KEY] = chosen
    return chosen


def add_lang_option(command: click.Command) -> click.Command:
    """Give ``command`` the ``--lang id|en`` option (kept out of the function's arguments)."""
    if not any(p.name == "lang" for p in command.params):
        command.params.append(
            click.Option(
                ["--lang"],
                type=click.Choice(LANGUAGES),
                default="id",
                show_default=True,
                expose_value=False,
                is_eager=True,
                callback=_remember_lang,
                help="Bahasa keluaran / output language.",
            )
        )
    return command


def cli_language() -> Lang:
    """The language chosen with ``--lang`` for the running command (Indonesian by default)."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return "id"
    return language(ctx.meta.get(_LANG_KEY, "id"))


def text(msg: Msg) -> str:
    """``msg`` in the command's language."""
    return render(msg, cli_language())


def say(msg: Msg, *, err: bool = False) -> None:
    """Print ``msg`` in the command's language (on stderr with ``err=True``)."""
    click.echo(text(msg), err=err)


def service_errors(func: F) -> F:
    """Print a :class:`ServiceError` in the command's language and exit 1, not a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ServiceError as exc:
            raise click.ClickException(text(exc.msg)) from exc

    return wrapper  # type: ignore[return-value]
