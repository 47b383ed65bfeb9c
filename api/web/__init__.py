"""The public pages: Jinja2 templates, static JavaScript and CSS, and their view models."""
