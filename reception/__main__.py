"""`python -m reception …` is the same as the `reception` command."""

from .cli import main

main()
