"""The matcher: score tenders, funding programmes and Kommunen against a profile, and explain."""
