"""``python -m model``: the ``spridning`` command."""

import sys

try:
    from .cli import main

    status = main()
except KeyboardInterrupt:  # Ctrl-C before the command line could take it over
    print("interrupted: nothing half-written was left behind", file=sys.stderr)
    status = 130
sys.exit(status)
