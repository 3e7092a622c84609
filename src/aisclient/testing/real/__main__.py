import sys

from aisclient.testing.real.cli import main

sys.exit(main())
