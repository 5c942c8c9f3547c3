"""The ``lindi`` command line: one module per subcommand, loaded on demand."""
