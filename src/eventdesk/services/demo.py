"""The European Cluster Conference 2024 demo event (being written)."""

from __future__ import annotations


def demo_exists(db: str) -> bool:
    raise NotImplementedError


def create_demo(db: str) -> None:
    raise NotImplementedError
