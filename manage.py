#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accessctl.settings")
    if not os.environ.get("SECRET_KEY") and os.environ.get("DJANGO_ENV") != "production":
        # A development checkout: without a secret key, commands run in development mode. Production must
        # refuse to start instead, so there a missing SECRET_KEY reaches the settings and is named.
        os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
