"""The contract: what a daily report, the office's settings and the messages people read are,
declared as data. Imports nothing else of xlpy."""
