"""Spreadsheets in and out: reading an upload safely (``reading``), writing workbooks in the
office's style with text that never runs as a formula (``writing``), and the way raw-data
imports and exports work (``resources``, on django-import-export).

This package knows no units, indicators or figures; the apps' readers and builders use it.
"""
