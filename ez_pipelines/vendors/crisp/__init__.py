"""Crisp: web hooks from the website's live chat."""
