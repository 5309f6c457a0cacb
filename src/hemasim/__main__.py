"""``python -m hemasim`` runs the command line."""

from hemasim.cli.main import main

main()
