"""Exit statuses, the same for every command, the nightly run and the buttons."""
OK = 0  # all good
FOUND = 1  # something was found or rejected; the rest was done
UNUSABLE = 2  # nothing could be done: arguments, settings, reference workbook or master
NOT_SENT = 3  # the nightly briefing could not be mailed and waits in outbox/
INTERNAL = 4  # a fault of xlpy itself: the traceback is in the log file
