"""pytest plugin (placeholder, being replaced by the test-kit work)."""
