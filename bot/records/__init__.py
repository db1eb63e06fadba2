"""Records store: insured persons, enrolments, contributions, accounts, filings, claims, family
authorisations, channel bindings, verification attempts and the access audit log.

Nothing here creates an engine at import time; call `bot.records.db.session_scope()` per request.
"""
