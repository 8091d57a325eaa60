"""Analysis of a community of practice from its own exports. Pure Python: never imports Django."""
