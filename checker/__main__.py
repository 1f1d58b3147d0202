"""``python -m checker`` runs the command-line tool."""

from checker.cli import main

if __name__ == "__main__":
    main()
