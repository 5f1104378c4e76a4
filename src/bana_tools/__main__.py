"""``python -m bana_tools`` is the same as the ``bana`` command."""

from bana_tools.cli.main import main

raise SystemExit(main())
