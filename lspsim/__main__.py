import sys

from lspsim.cli import main

sys.exit(main())
