"""Readers of community exports: one module per format, each documenting its mapping."""
