"""Optional integrations with data-processing frameworks; each imports its framework only on use."""
