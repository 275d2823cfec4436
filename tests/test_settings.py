"""Settings come from a TOML file, then EVENTDESK_* variables, then command-line options."""

from __future__ import annotations

import pytest

from eventdesk.settings import Settings, SettingsError


def test_command_line_beats_environment_beats_file(tmp_path):
    config = tmp_path / "eventdesk.toml"
    config.write_text(
        'db = "file.db"\ndesk = "File desk"\n[search]\nmin_chars = 4\n'
        '[printers]\ndefault = "badge-2"\nbadge-1 = "tcp://10.0.0.7:9100"\nbadge-2 = "usb://04b8:0e15"\n'
        "[badge]\npaper_mm = 58\n",
        encoding="utf-8",
    )
    from_file = Settings.load(config, env={})
    assert (from_file.db, from_file.desk, from_file.search_min_chars) == ("file.db", "File desk", 4)
    assert from_file.printer_url() == "usb://04b8:0e15"
    assert from_file.printer_url("badge-1") == "tcp://10.0.0.7:9100"
    assert from_file.badge.paper_mm == 58

    from_env = Settings.load(config, env={"EVENTDESK_DB": "env.db", "EVENTDESK_DESK": "Env desk"})
    assert (from_env.db, from_env.desk) == ("env.db", "Env desk")

    from_cli = Settings.load(config, env={"EVENTDESK_DB": "env.db"}, db="cli.db", desk=None)
    assert (from_cli.db, from_cli.desk) == ("cli.db", "File desk")


def test_a_broken_settings_file_is_named_in_the_error(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text("db = \n", encoding="utf-8")
    with pytest.raises(SettingsError, match="bad.toml"):
        Settings.load(config, env={})


def test_an_unknown_badge_key_is_refused(tmp_path):
    config = tmp_path / "eventdesk.toml"
    config.write_text("[badge]\npaper = 80\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="paper"):
        Settings.load(config, env={})
