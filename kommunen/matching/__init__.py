"""The matcher: profile, German text, score and reasons, leads, stored tenders and funding.

May use: places, store, config, errors, text, scrapers. Never outputs, collect or cli.
"""
