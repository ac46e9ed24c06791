"""The systems whose webhooks the ops service receives into the inbox.

A system gets its place here together with its receiver route, and health then reports its
inbound direction.
"""

INBOUND_SYSTEMS = ("checkout",)
