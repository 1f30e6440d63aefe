from __future__ import annotations

from iaclint.cli import main

raise SystemExit(main())
