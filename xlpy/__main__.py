import sys

from xlpy.cli.main import main

sys.exit(main())
