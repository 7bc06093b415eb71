"""`python -m xlpy`. A worker process spawned to read reports imports this module too (as
__mp_main__): it must neither run the command again nor import more than it needs."""
if __name__ == "__main__":
    import sys

    from xlpy.cli.main import main

    sys.exit(main())
