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


def test_every_setting_read_is_declared_once_with_its_default() -> None:
    """app.config[KEY] is read only for declared keys, and never with a default of its own."""
    import re

    from app.config import SETTINGS

    declared = {s.key for s in SETTINGS}
    assert len(declared) == len(SETTINGS)
    for s in SETTINGS:
        assert isinstance(s.default, s.type), s.key
    fixed = set(load_config(Path("/nonexistent-instance-not-used"), {"SECRET_KEY": "x" * 20}))
    app_dir = Path(__file__).resolve().parent.parent / "app"
    read: set[str] = set()
    for path in app_dir.rglob("*.py"):
        text = path.read_text()
        assert "config.get(" not in text, f"{path.name} reads a setting with a default of its own"
        read |= set(re.findall(r"config\[\"([A-Z_]+)\"\]", text))
    assert read <= fixed, read - fixed
    assert {"FIXED_NOW", "VENDOR_IMPORT_DIR", "CACHE_TTL"} <= declared


def test_settings_come_from_the_environment(tmp_path: Path) -> None:
    cfg = load_config(tmp_path, {"CACHE_TTL": "0", "PETALAPAK_PROXY_FIX": "yes", "SECRET_KEY": ""})
    assert cfg["CACHE_TTL"] == 0 and cfg["PROXY_FIX"] is True
    assert cfg["FIXED_NOW"] is None and cfg["VENDOR_IMPORT_DIR"] is None
