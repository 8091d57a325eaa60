"""Coursework: worksheets, assignments and feedback, peer co-working on the playbook, and the
cohort's Slack channel and e-mail notifications."""
