"""``python -m lambda_micro.local``: the ``lambda-micro`` command line."""

from __future__ import annotations

from .cli import main

raise SystemExit(main())
