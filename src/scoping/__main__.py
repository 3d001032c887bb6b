"""``python -m scoping`` is the ``scoping`` command."""

import sys

from scoping.cli import main

sys.exit(main())
