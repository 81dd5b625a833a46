"""What people read: export (XLSX/CSV/JSON/ICS), the digest email and its templates, tables.

May use: matching, places, store, config, errors, text. Never collect or cli.
"""
