"""Data for `manage.py seed_demo`: real meeting notes, shipped with the package."""
