"""A community manager's communities: their activity stores, analyses and reports."""
