"""Academy: the program and course catalog, cohorts and their sessions, and enrollment."""
