"""The Django project: settings, URLs, base templates, and the helpers that start Django."""
