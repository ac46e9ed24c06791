"""Every setting is documented in the README, with its default."""

from __future__ import annotations

from pathlib import Path

from ez_pipelines.settings import SETTINGS, Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_setting_has_a_row_in_the_readme_with_its_default() -> None:
    rows = {line.split("`")[1]: line for line in README.splitlines() if line.startswith("| `EZ_")}

    assert sorted(s.name for s in SETTINGS if s.name not in rows) == []
    for setting in SETTINGS:
        if setting.default and not setting.secret:
            row = rows[setting.name]
            assert setting.default in row, f"{setting.name}'s default is not in its README row"


def test_defaults_point_at_the_sandbox_on_loopback() -> None:
    settings = Settings.from_env({})

    assert settings.netsuite.base_url.startswith("http://127.0.0.1:")
    assert settings.hubspot.base_url.startswith("http://127.0.0.1:")
    assert settings.database_url.startswith("sqlite:///")
