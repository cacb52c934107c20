"""Crosslink: link every Salesforce Account to exactly one billing customer, on both sides."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("crosslink")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
