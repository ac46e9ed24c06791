"""The systems whose webhooks the ops service receives into the inbox, each at
`/webhooks/<system>`.

This is the one list of inbound integrations: a system gets its place here together with its
receiver route, and health then reports it everywhere (the checks, the page's tiles, `/metrics`,
the demo's table). A test fails when a webhook route is missing from it.
"""

INBOUND_SYSTEMS = ("checkout", "hubspot", "crisp", "whatsapp")
