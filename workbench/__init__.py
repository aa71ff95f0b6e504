"""Stance workbench: code stance in Arabic news sentence by sentence."""

__version__ = "0.1.0"
