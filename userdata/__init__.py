"""User data templates and their pure renderer (render.py)."""
