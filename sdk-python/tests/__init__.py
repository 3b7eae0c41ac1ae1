"""Tests for the bentoo package. Importing this package puts ``sdk-python/src``
first on ``sys.path`` so the tests exercise the source tree, not an installed copy."""

import os
import sys

_SRC = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, "src"))
if _SRC not in sys.path:
    sys.path.insert(0, _SRC)
