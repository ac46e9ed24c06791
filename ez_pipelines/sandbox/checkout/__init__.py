"""A local Checkout.com: the NAS payments API and its signed webhook deliveries."""
