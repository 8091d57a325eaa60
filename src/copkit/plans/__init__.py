"""The knowledge management plan: the course's output, one per enrollment.

Filled from the learner's community analysis (``copkit.communities``) and worksheet answers
(``copkit.coursework``); goals and interventions are the learner's own. See ``docs/plans.md``.
"""
