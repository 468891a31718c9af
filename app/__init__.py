"""Parley: a fast native desktop chat client for OpenRouter and OpenAI-compatible endpoints."""

__version__ = "0.1.0"
APP_NAME = "Parley"
