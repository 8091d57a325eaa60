"""`python -m copkit` runs the command line."""

from copkit.cli import main

main()
