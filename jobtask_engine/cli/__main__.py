"""``python -m jobtask_engine.cli ...``"""

from jobtask_engine.cli import main

raise SystemExit(main())
