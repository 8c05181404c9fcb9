"""The REST API: the site's rules for scripts, feeds and chat bots."""
