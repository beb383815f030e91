"""Web plumbing: wiring an app (``wiring``), error pages, reading request
values with bounds (``params``), forms, the JSON API machinery (``api``),
the page cache and SQLite write-lock handling for hot paths, the same-origin
check.
"""
