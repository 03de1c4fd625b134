"""Configuration safety: production refuses to start with a default or missing key."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import ConfigError, load_config


@pytest.mark.parametrize("secret", ["", "dev-not-secret", "short"])
def test_production_refuses_default_secret(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, secret: str
) -> None:
    monkeypatch.setenv("PETALAPAK_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", secret)
    with pytest.raises(ConfigError):
        load_config(tmp_path)


def test_production_with_real_secret(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PETALAPAK_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    cfg = load_config(tmp_path)
    assert cfg["SESSION_COOKIE_SECURE"] and cfg["SESSION_COOKIE_HTTPONLY"]


def test_development_keeps_a_random_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("PETALAPAK_ENV", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = load_config(tmp_path)["SECRET_KEY"]
    assert len(first) >= 32 and load_config(tmp_path)["SECRET_KEY"] == first
