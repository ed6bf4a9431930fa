"""``python -m symbound``: the same as the ``symbound`` command."""

from symbound.cli import main

raise SystemExit(main())
