"""Language selection: Bahasa Indonesia by default, English on request.

Interface strings are written in Indonesian in the source (the default locale needs no
catalogue); ``app/translations/en`` holds the English catalogue. Messages made by the engines and
services (:class:`app.messages.Msg`) are rendered here, at the edge, by :func:`localize`.
"""

from __future__ import annotations

from flask import Flask, request, session

from app.extensions import babel
from app.messages import Lang, Msg, language, render


def select_locale() -> str:
    """``?lang=`` sets the choice for the session; otherwise the session's, else Indonesian."""
    from flask import current_app

    languages = current_app.config["LANGUAGES"]
    asked = request.args.get("lang")
    if asked is not None and asked in languages:
        session["lang"] = asked
        return asked
    chosen = session.get("lang")
    if chosen in languages:
        return str(chosen)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def init_i18n(app: Flask) -> None:
    """Bind Flask-Babel and expose the current locale to templates."""
    from pathlib import Path

    app.config.setdefault(
        "BABEL_TRANSLATION_DIRECTORIES", str(Path(__file__).parent / "translations")
    )
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def _inject_locale() -> dict[str, object]:
        from flask_babel import get_locale

        return {"current_locale": str(get_locale() or "id"), "languages": app.config["LANGUAGES"]}


def current_language() -> Lang:
    """The reader's language in this request (Flask-Babel's locale): ``"id"`` or ``"en"``."""
    from flask_babel import get_locale

    return language(get_locale())


def localize(msg: Msg, lang: str | None = None) -> str:
    """``msg`` in the reader's language (``lang`` when given, else the request's locale)."""
    return render(msg, lang if lang is not None else current_language())
