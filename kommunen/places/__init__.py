"""Places: Gemeinden and Kreise (directory and lookup), similarity, departments, buyer linking.

May use: store, config, errors, text, scrapers. Never matching, outputs, collect or cli.
"""
