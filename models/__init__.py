"""Trained fraud models: versioned artifacts with model cards, and the registry that promotes one per line."""
