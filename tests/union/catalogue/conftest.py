"""The demo catalogue, harvested and indexed once for the catalogue service's tests."""

from tests.union.catalogue.demo import demo

__all__ = ["demo"]
