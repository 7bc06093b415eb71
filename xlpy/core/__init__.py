"""The core: values as people type them, the rules, the ledger and the statistics, over plain
values and DataFrames. No file I/O, no module-level caches; imports only `xlpy.contract`."""
