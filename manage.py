#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accessctl.settings")
    if not os.environ.get("SECRET_KEY"):
        # A development checkout: without a secret key, commands run in development mode (never in production,
        # where SECRET_KEY is set and the WSGI server does not go through this file).
        os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
