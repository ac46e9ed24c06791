"""The NetSuite stand-in: SuiteTalk REST records, token-based authentication, its limits."""
