"""`python -m reception …` is the same as the `reception` command."""

from reception.cli import main

main()
