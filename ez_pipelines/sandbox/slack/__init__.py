"""The Slack stand-in: chat.postMessage with its authentication and its rate limit."""
