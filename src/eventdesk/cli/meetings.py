"""Commands of the meetings area."""

from __future__ import annotations

import click

from eventdesk.cli import main  # noqa: F401
from eventdesk.cli.common import Failure, db_option, echo_json, friendly_errors, settings_from  # noqa: F401
