"""Subcommands of the ``scoping`` command line, one module each."""
