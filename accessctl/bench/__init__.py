"""``manage.py bench``: seed the issue's scale into a database of its own, time the hot paths against their floors
and against django-guardian and django-rules implementations of the same rules (dev dependencies only).
"""
