"""A Flask app whose serving parts can be set up when they are first needed.

``flask --app app <command>`` builds the app before it knows which command runs, and ``--help``
needs only the command list. When the CLI builds the app, :func:`app.create_app` hands the rest
of its setup (database engine, extensions, blueprints, hooks) to
:meth:`DeferredSetupFlask.defer_setup`; it runs, in the same order as ever, the first time
anything needs it: one of the app's commands starting (``app.cli.LazyCommand``), a request
context, a WSGI call, or a read of ``extensions``, ``url_map``, ``view_functions`` or
``wsgi_app``. Not on an app context: the CLI pushes one just to list the commands. Outside the
CLI (servers, tests) it runs at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.ctx import RequestContext


class DeferredSetupFlask(Flask):
    """:class:`~flask.Flask` that can finish its setup on first use."""

    _pending_setup: Callable[[], None] | None = None

    def defer_setup(self, setup: Callable[[], None]) -> None:
        """Run ``setup`` (once) when the app is first used rather than now."""
        self._pending_setup = setup

    def finish_setup(self) -> None:
        """Run the deferred setup now, if any is left."""
        setup = self._pending_setup
        if setup is not None:
            self._pending_setup = None
            setup()

    def _lazy(self, name: str) -> Any:
        if self._pending_setup is not None:
            self.finish_setup()
        return self.__dict__[name]

    @property
    def extensions(self) -> dict[str, Any]:
        return self._lazy("_deferred_extensions")  # type: ignore[no-any-return]

    @extensions.setter
    def extensions(self, value: dict[str, Any]) -> None:
        self.__dict__["_deferred_extensions"] = value

    @property
    def url_map(self) -> Any:
        return self._lazy("_deferred_url_map")

    @url_map.setter
    def url_map(self, value: Any) -> None:
        self.__dict__["_deferred_url_map"] = value

    @property
    def view_functions(self) -> dict[str, Any]:
        return self._lazy("_deferred_view_functions")  # type: ignore[no-any-return]

    @view_functions.setter
    def view_functions(self, value: dict[str, Any]) -> None:
        self.__dict__["_deferred_view_functions"] = value

    @property
    def wsgi_app(self) -> Any:
        if self._pending_setup is not None:
            self.finish_setup()
        wrapped = self.__dict__.get("_deferred_wsgi_app")
        return wrapped if wrapped is not None else super().wsgi_app

    @wsgi_app.setter
    def wsgi_app(self, value: Any) -> None:
        self.__dict__["_deferred_wsgi_app"] = value

    def request_context(self, environ: Any) -> RequestContext:
        if self._pending_setup is not None:
            self.finish_setup()
        return super().request_context(environ)
