import sys

from .command import entry_point

sys.exit(entry_point())
