"""The ops web service: webhooks in, and later the health and review pages."""

from ez_pipelines.ops.web.app import create_ops_app

__all__ = ["create_ops_app"]
