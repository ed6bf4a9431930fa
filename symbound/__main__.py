"""``python -m symbound``: the same as the ``symbound`` command."""

from symbound.cli import main

if __name__ == "__main__":  # guarded: process-pool workers import this module too
    raise SystemExit(main())
