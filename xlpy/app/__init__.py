"""What a command does: validate, consolidate, the briefing, the nightly run, an office and
its demo, wired from `xlpy.io` and `xlpy.core`."""
