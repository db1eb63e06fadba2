"""Operators' side of the assistant (issue 14): what each message led to, users' ratings, the review
queue that becomes training data, the dashboard at /ops, operator accounts and data retention.

Nothing here stores who asked: no conversation id, OpenID or unredacted text.
"""
