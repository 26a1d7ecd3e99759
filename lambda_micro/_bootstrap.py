"""Import-time preparation for a fast cold start (owned by the cold-start/benchmark work)."""
