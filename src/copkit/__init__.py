"""copkit: run a communities-of-practice course, analyse your own community, plan its knowledge.

The package has three parts that share one data model, one web app and one command line:
``academy`` (the course), ``community`` (analysis of a manager's own community) and the
knowledge management ``plan``. See ``docs/architecture.md``.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
