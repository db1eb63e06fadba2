"""Thin rasa-sdk actions: read slots, call bot/, format the reply."""
