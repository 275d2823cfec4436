"""Printer health, the badge queue and reprints."""
