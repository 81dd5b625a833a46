"""Collecting: the pipeline (fetch → archive → parse → store → run record), the registry of
due sources, file imports, recorded data and the scheduler.

May use every floor below it: outputs (the scheduler sends the digest), matching, places,
store, config, errors, text, scrapers. Only cli uses it.
"""
