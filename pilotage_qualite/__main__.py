"""`python -m pilotage_qualite …`: see pilotage_qualite.cli."""

import sys

from pilotage_qualite.cli import main

sys.exit(main())
