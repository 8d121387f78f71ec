"""The plugin test kit: a pytest plugin (fixtures ``webleads_pm``, ``webleads_register``,
``webleads_run``, ``webleads_sample_mail``), contract suites in
:mod:`webleads_core.testing.contracts`, and :func:`run_bounded` for hostile-input tests
in :mod:`webleads_core.testing.bounded`.  See docs/testing-plugins.md."""
