"""Make the shared toy instances importable from the pipeline tests."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
