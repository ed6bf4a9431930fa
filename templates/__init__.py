"""Jinja LaTeX templates (a package only so that installs locate the files)."""
