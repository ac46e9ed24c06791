"""WhatsApp Business Cloud API webhooks, as BotSpace relays them."""
