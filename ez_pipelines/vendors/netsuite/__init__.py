"""Oracle NetSuite through SuiteTalk REST: client, contract versions, outbox projections."""
