"""`python -m app` is the `yibao` command."""

from app.cli import main

raise SystemExit(main())
