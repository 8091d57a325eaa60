"""Attendance marks, the graduation rule, outcomes and waivers of a cohort."""
