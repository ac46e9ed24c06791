"""Stand-ins for the lead channels: web forms on HubSpot, Crisp chats and WhatsApp (BotSpace).

Each signs its webhooks as its vendor does, with its own code (never the receiver's), and sends
some deliveries more than once, as vendors do.
"""
