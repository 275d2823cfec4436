"""eventdesk: on-site operations of a conference in the terminal."""

__version__ = "0.1.0"
