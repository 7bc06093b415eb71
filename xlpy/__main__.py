import sys

from xlpy.cli.main import main

if __name__ == "__main__":  # a worker process spawned to read reports imports this module too
    sys.exit(main())
