"""Sources: bytes from the web → records. The registry of sources is `scrapers.registry.SOURCES`
(kept out of this file so that importing one source does not import them all)."""
