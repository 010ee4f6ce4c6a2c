"""``python -m model``: the ``spridning`` command."""

import sys

try:
    from .cli import end_process, main

    status = main()
except KeyboardInterrupt:  # Ctrl-C before the command line could take it over
    print("interrupted: nothing half-written was left behind", file=sys.stderr)
    sys.exit(130)
end_process(status)
