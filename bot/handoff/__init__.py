"""转人工 for agents: the desk (reply, close, resume through Rasa's API), the console
(`python -m bot.handoff.console`) and the transcript a ticket carries. Tickets are stored by
bot/records/handoff.py."""
