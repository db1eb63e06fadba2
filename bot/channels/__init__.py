"""Input channels (credentials.yml). Each channel's `from_credentials` calls
bot.runtime.startup.prepare_rasa_server(): the API guard, log redaction and the Rasa speed-ups are
installed by that explicit start-up call, not as a side effect of importing this package."""
