"""The ``webleads`` command line."""
