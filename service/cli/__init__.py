"""The ``acuplan`` command line (typer): one module per command group.

``main`` holds the app (the ``acuplan`` entry point, ``service.cli.main:main``) and the
``traces``, ``replay``, ``recommend`` and ``serve`` commands; ``keys`` and ``advise`` their
own; ``inputs`` the option checks every command shares; ``output`` the report files.
"""
